import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseToml } from "smol-toml";
import { ConfigError, type FleetConfig, type RegionConfig } from "../../config";
import { servingNameProblems } from "../../config/servingNames";
import { ACME_ROUTE53_KEYS, ACME_ROUTE53_SECRET, renderAcmeIssuer } from "../global/acmeDns01";
import type { LlmImageSource } from "../global/imageRegistry";
import type { ModelStoreAccess, RegionCluster, RegionTls, ServingEndpoint } from "../types";
import { servingArgProblems } from "./validate";
import { buildContext, type MonitoringOptions } from "./render/context";
import { renderGatewayConfig } from "./render/gatewayConfig";
import {
    renderGatewayBackendsSecret,
    renderGatewayConfigMap,
    renderGatewayDeployment,
    renderGatewayServiceAccount,
} from "./render/gatewayWorkload";
import { renderGkeBackendPolicies, renderGkeGateway, renderGkeGatewayPolicy, renderGkeRoutes } from "./render/gkeGateway";
import { renderMetricsAdapter } from "./render/metricsAdapter";
import { renderDashboardConfigMap, renderMonitoringObjects } from "./render/monitoring";
import { commonLabels, names, TRACKS } from "./render/names";
import { renderNamespace } from "./render/namespace";
import { renderNetworkPolicies } from "./render/networkPolicies";
import { renderHpas, renderLimitRange, renderPdbs, renderResourceQuota } from "./render/scaling";
import { checksum, configPropertiesEntries, renderConfigProperties, renderModelSyncScript } from "./render/torchserveConfig";
import {
    renderImagePullSecret,
    renderModelStoreCredentialsSecret,
    renderTorchServeConfigMap,
    renderTorchServeDeployment,
    renderTorchServeServiceAccount,
} from "./render/torchserveWorkload";
import {
    renderGatewayService,
    renderIngress,
    renderMetricsService,
    renderCanaryIngress,
    renderPreviewService,
    renderStableService,
    renderTrackService,
    type CustomObject,
} from "./render/traffic";

export interface ServingStackArgs {
    /** The validated fleet config: models, serving settings, images and secret backends. */
    config: FleetConfig;
    /** The region this stack serves; its modelNames and servingPool pick models and GPUs. */
    region: RegionConfig;
    /** The region's cluster: every object goes through its provider once its readyResources exist. */
    cluster: RegionCluster;
    /** The region's model-store copy and how pods read it. */
    modelStore: ModelStoreAccess;
    /** The certificate for the region's Ingress; its kind must match the cluster's ingress flavour. */
    tls: RegionTls;
    /** One more scraper namespace besides the cluster's (default none) and extra labels on the monitoring objects (default none). */
    monitoring?: MonitoringOptions;
    /** Where the LLM-track image comes from; required when the region serves an OpenAI-compatible model. */
    llmImage?: LlmImageSource;
}

/**
 * The serving workloads of one cluster: TorchServe in two blue-green tracks on the GPU
 * pool, the TensorZero gateway on the system nodes, their scaling, the Ingress, network
 * policies, quota and monitoring. The same for every cloud: what differs (ingress
 * annotations, identity endpoints, model-store client) follows from the arguments.
 */
export class ServingStack extends pulumi.ComponentResource {
    /** The address the cloud load balancer got, for the global entry. */
    public readonly endpoint: ServingEndpoint;
    /** The namespace every serving object lives in. */
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: ServingStackArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = servingArgProblems(args);
        if (problems.length > 0) {
            throw new Error(`ServingStack ${name} has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        }
        super("modelfleet:k8s:ServingStack", name, {}, opts);

        const { config, region, cluster, modelStore, tls } = args;
        const ctx = buildContext(config, region, cluster, modelStore, args.monitoring, args.llmImage);
        const configProperties = renderConfigProperties(ctx.models, ctx.serving.torchserve);
        const gatewayToml = renderGatewayConfig(ctx.namespace, ctx.models, config.secrets.gatewayBackends, ctx.weights);
        const properties = new Map(configPropertiesEntries(ctx.models, ctx.serving.torchserve));
        const nameProblems = servingNameProblems(
            ctx.models.map((model) => ({ index: config.models.indexOf(model), model })),
            {
                loadModels: String(properties.get("load_models")),
                modelsJson: String(properties.get("models")),
                gateway: parseToml(gatewayToml),
                syncScript: renderModelSyncScript(ctx.modelStore.kind, ctx.models),
            },
        );
        if (nameProblems.length > 0) throw new ConfigError(nameProblems);
        const childOpts = (dependsOn: pulumi.Resource[] = [], extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions => ({
            ...extra,
            parent: this,
            provider: cluster.provider,
            dependsOn: [...cluster.readyResources, ...dependsOn],
        });

        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, renderNamespace(ctx), childOpts());
        const inNamespace = (dependsOn: pulumi.Resource[] = [], extra: pulumi.CustomResourceOptions = {}) =>
            childOpts([namespace, ...dependsOn], extra);

        // On existing clusters cert-manager issues the Ingress certificate into this namespace,
        // from the program's ACME Issuer (and its Route 53 key) when the region asks for one.
        const issuers =
            tls.kind === "cert-manager" && tls.acme
                ? [
                      custom(
                          `${name}-acme-issuer`,
                          renderAcmeIssuer(ctx.namespace, commonLabels(ctx.regionName), tls.acme.issuer),
                          inNamespace([
                              new k8s.core.v1.Secret(
                                  `${name}-acme-route53`,
                                  renderAcmeRoute53Secret(ctx.namespace, commonLabels(ctx.regionName), tls.acme),
                                  inNamespace(),
                              ),
                          ]),
                      ),
                  ]
                : [];
        const certificates =
            tls.kind === "cert-manager"
                ? [
                      custom(
                          `${name}-certificate`,
                          renderServingTlsCertificate(ctx.namespace, tls),
                          inNamespace(issuers, { aliases: tls.certificateAliases }),
                      ),
                  ]
                : [];

        // Quota and defaults first, so no pod is admitted before they apply.
        const limitRange = new k8s.core.v1.LimitRange(`${name}-limits`, renderLimitRange(ctx), inNamespace());
        const quota = new k8s.core.v1.ResourceQuota(`${name}-quota`, renderResourceQuota(ctx), inNamespace([limitRange]));
        const policies = Object.entries(renderNetworkPolicies(ctx)).map(
            ([policyName, policy]) => new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${policyName}`, policy, inNamespace()),
        );
        const admission = [limitRange, quota, ...policies];

        // TorchServe: identity, config, both tracks.
        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-torchserve-sa`,
            renderTorchServeServiceAccount(ctx, modelStore.serviceAccountAnnotations),
            inNamespace(),
        );
        const storeSecrets = modelStore.staticCredentials
            ? [
                  new k8s.core.v1.Secret(
                      `${name}-model-store-credentials`,
                      renderModelStoreCredentialsSecret(ctx, modelStore.staticCredentials),
                      inNamespace(),
                  ),
              ]
            : [];
        const pullSecrets =
            ctx.imagePullSecret !== undefined
                ? [new k8s.core.v1.Secret(`${name}-image-pull`, renderImagePullSecret(ctx, ctx.imagePullSecret), inNamespace())]
                : [];
        const torchserveConfig = new k8s.core.v1.ConfigMap(
            `${name}-torchserve-config`,
            renderTorchServeConfigMap(ctx, configProperties),
            inNamespace(),
        );
        const tracks = TRACKS.map(
            (track) =>
                new k8s.apps.v1.Deployment(
                    `${name}-torchserve-${track}`,
                    renderTorchServeDeployment(ctx, track, checksum(configProperties)),
                    // GPU node scale-up, the model copy and loading outlast the default 10-minute wait.
                    inNamespace(
                        [...admission, serviceAccount, torchserveConfig, ...storeSecrets, ...pullSecrets, ...modelStore.readyResources],
                        {
                            customTimeouts: { create: "30m", update: "30m" },
                        },
                    ),
                ),
        );

        const torchserveServices = [
            new k8s.core.v1.Service(`${name}-torchserve-stable`, renderStableService(ctx), inNamespace()),
            new k8s.core.v1.Service(`${name}-torchserve-preview`, renderPreviewService(ctx), inNamespace()),
            new k8s.core.v1.Service(`${name}-torchserve-metrics`, renderMetricsService(ctx), inNamespace()),
            ...TRACKS.map(
                (track) => new k8s.core.v1.Service(`${name}-torchserve-${track}-svc`, renderTrackService(ctx, track), inNamespace()),
            ),
        ];

        // The gateway.
        const gatewaySa = new k8s.core.v1.ServiceAccount(`${name}-gateway-sa`, renderGatewayServiceAccount(ctx), inNamespace());
        const gatewayConfig = new k8s.core.v1.ConfigMap(`${name}-gateway-config`, renderGatewayConfigMap(ctx, gatewayToml), inNamespace());
        const backendSecrets =
            ctx.backends.length > 0
                ? [
                      new k8s.core.v1.Secret(
                          `${name}-gateway-backends`,
                          renderGatewayBackendsSecret(ctx, config.secrets.gatewayBackends),
                          inNamespace(),
                      ),
                  ]
                : [];
        const gateway = new k8s.apps.v1.Deployment(
            `${name}-gateway`,
            renderGatewayDeployment(ctx, checksum(gatewayToml)),
            inNamespace([...admission, gatewaySa, gatewayConfig, ...backendSecrets]),
        );
        const gatewayService = new k8s.core.v1.Service(`${name}-gateway-svc`, renderGatewayService(ctx), inNamespace());

        // The custom-metrics adapter the TorchServe HPAs read their inference signal through.
        const adapter = renderMetricsAdapter({
            kind: ctx.monitoring.kind,
            image: ctx.monitoring.kind === "gke-managed-prometheus" ? config.images.stackdriverAdapter : config.images.prometheusAdapter,
            prometheusUrl: ctx.serving.autoscaling.prometheusUrl,
            nodeSelector: ctx.systemNodeSelector,
            serviceAccountAnnotations: cluster.monitoring.metricsAdapterAnnotations,
        });
        const adapterName = `${name}-metrics-adapter`;
        const adapterAccess: pulumi.Resource[] = [
            new k8s.core.v1.ServiceAccount(`${adapterName}-sa`, adapter.serviceAccount, childOpts()),
            ...adapter.clusterRoles.map((role, i) => new k8s.rbac.v1.ClusterRole(`${adapterName}-role-${i}`, role, childOpts())),
            ...adapter.clusterRoleBindings.map(
                (binding, i) => new k8s.rbac.v1.ClusterRoleBinding(`${adapterName}-binding-${i}`, binding, childOpts()),
            ),
            ...adapter.roleBindings.map(
                (binding, i) => new k8s.rbac.v1.RoleBinding(`${adapterName}-auth-reader-${i}`, binding, childOpts()),
            ),
            ...adapter.configMaps.map((map, i) => new k8s.core.v1.ConfigMap(`${adapterName}-config-${i}`, map, childOpts())),
        ];
        const adapterDeployment = new k8s.apps.v1.Deployment(`${adapterName}-deployment`, adapter.deployment, childOpts(adapterAccess));
        const adapterService = new k8s.core.v1.Service(`${adapterName}-service`, adapter.service, childOpts());
        new k8s.policy.v1.PodDisruptionBudget(`${adapterName}-pdb`, adapter.podDisruptionBudget, childOpts());
        // Registered once its pods are ready: an APIService without a backend breaks API discovery.
        const adapterApi = new k8s.apiregistration.v1.APIService(
            `${adapterName}-apiservice`,
            adapter.apiService,
            childOpts([adapterDeployment, adapterService]),
        );
        const adapterResources: pulumi.Resource[] = [adapterApi];

        // Scaling: one HPA and one PDB per Deployment.
        const deployments: Record<string, k8s.apps.v1.Deployment> = Object.fromEntries([
            ...TRACKS.map((t, i) => [names.torchserveDeployment(t), tracks[i]] as const),
            [names.gateway, gateway] as const,
        ]);
        for (const [target, hpa] of Object.entries(renderHpas(ctx))) {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(
                `${name}-hpa-${target}`,
                hpa,
                inNamespace([deployments[target], ...(target === names.gateway ? [] : adapterResources)]),
            );
        }
        for (const [target, pdb] of Object.entries(renderPdbs(ctx))) {
            new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb-${target}`, pdb, inNamespace([deployments[target]]));
        }

        // Traffic: one Ingress with TLS (GKE: a Gateway and its routes), created once the pods
        // behind it are ready (the provider's Ingress wait also wants endpoints, and GPU pods
        // outlast its timeout).
        const backends = [...tls.readyResources, ...certificates, ...torchserveServices, gatewayService, ...tracks, gateway];
        let ingress: k8s.networking.v1.Ingress | undefined;
        if (tls.kind === "gcp-managed") {
            // GKE applies the policies when it syncs the Gateway: they exist first.
            const policies = [
                custom(`${name}-gateway-ssl-policy`, renderGkeGatewayPolicy(ctx, tls.sslPolicyName), inNamespace()),
                ...renderGkeBackendPolicies(ctx).map((policy) =>
                    custom(`${name}-${policy.kind.toLowerCase()}-${String(policy.metadata.name)}`, policy, inNamespace()),
                ),
            ];
            const gkeGateway = custom(`${name}-gateway-api`, renderGkeGateway(ctx, tls), inNamespace([...backends, ...policies]));
            for (const route of renderGkeRoutes(ctx, tls.hosts)) {
                custom(`${name}-route-${String(route.metadata.name)}`, route, inNamespace([gkeGateway, ...backends]));
            }
        } else {
            ingress = new k8s.networking.v1.Ingress(`${name}-ingress`, renderIngress(ctx, tls), inNamespace(backends));
            const canaryIngress = renderCanaryIngress(ctx, tls);
            if (canaryIngress) {
                new k8s.networking.v1.Ingress(`${name}-ingress-canary`, canaryIngress, inNamespace([ingress, ...backends]));
            }
        }

        // In the CRDs the cluster's Prometheus reads; the cluster's readyResources include them
        // where the region installs them (EKS).
        if (ctx.serving.monitoring) {
            for (const [role, object] of Object.entries(renderMonitoringObjects(ctx))) {
                custom(`${name}-${role}`, object, inNamespace());
            }
            new k8s.core.v1.ConfigMap(`${name}-dashboard`, renderDashboardConfigMap(ctx), inNamespace());
        }

        this.namespace = namespace.metadata.name;
        this.endpoint = {
            regionName: region.name,
            cloud: region.cloud,
            loadBalancerHostname:
                ingress !== undefined && ctx.ingress.kind === "alb"
                    ? ingress.status.apply((s) => s?.loadBalancer?.ingress?.[0]?.hostname)
                    : pulumi.output<string | undefined>(undefined),
            loadBalancerIp:
                tls.kind === "gcp-managed"
                    ? tls.staticIpAddress.apply((ip): string | undefined => ip)
                    : pulumi.output<string | undefined>(undefined),
        };
        this.registerOutputs({ endpoint: this.endpoint, namespace: this.namespace });
    }
}

/** A custom resource (CRD instance) from rendered arguments. */
function custom(name: string, object: CustomObject, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        name,
        { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata, spec: object.spec },
        opts,
    );
}

/** The Route 53 key of the program-made ACME Issuer, as cert-manager's secret references read it. */
function renderAcmeRoute53Secret(
    namespace: string,
    labels: Record<string, string>,
    acme: { accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string> },
): k8s.types.input.core.v1.Secret {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: ACME_ROUTE53_SECRET, namespace, labels },
        type: "Opaque",
        stringData: {
            [ACME_ROUTE53_KEYS.accessKeyId]: pulumi.secret(acme.accessKeyId),
            [ACME_ROUTE53_KEYS.secretAccessKey]: pulumi.secret(acme.secretAccessKey),
        },
    };
}

/** The cert-manager Certificate of the Ingress's names, signed by the region's issuer. */
function renderServingTlsCertificate(namespace: string, tls: Extract<RegionTls, { kind: "cert-manager" }>): CustomObject {
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: {
            name: tls.secretName,
            namespace,
            labels: {
                "app.kubernetes.io/name": "serving-tls",
                "app.kubernetes.io/part-of": "modelfleet",
                "app.kubernetes.io/managed-by": "pulumi",
            },
        },
        spec: {
            secretName: tls.secretName,
            dnsNames: tls.hosts,
            issuerRef: { name: tls.issuer.name, kind: tls.issuer.kind, group: "cert-manager.io" },
            // A new key on every renewal: a leaked key is only good until the next one.
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        },
    };
}
