import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selfSignedServingCertificate } from "../k8s/servingCertificate";
import {
    controllerClusterRules,
    LBC_NAME,
    LBC_NAMESPACE,
    leaderElectionRules,
    mutatingWebhooks,
    validatingWebhooks,
    WEBHOOK_SERVICE,
} from "./loadBalancerControllerObjects";
import { loadBalancerControllerPolicy } from "./loadBalancerControllerPolicy";
import { PodIdentityRole } from "./podIdentityRole";

export const ALB_INGRESS_CLASS = "alb";
const WEBHOOK_SECRET = "aws-load-balancer-webhook-tls";
const SERVING_CERT = "aws-load-balancer-serving-cert";
const WEBHOOK_PORT = 9443;
const METRICS_PORT = 8080;
const HEALTH_PORT = 61779;

/** The controller's CRDs (IngressClassParams, TargetGroupBinding) at the release matching the image. */
export function controllerCrdUrl(version: string): string {
    return `https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/${version}/helm/aws-load-balancer-controller/crds/crds.yaml`;
}

/** The `vX.Y.Z` release of a controller image reference, or undefined when it is pinned otherwise. */
export function controllerVersion(image: string): string | undefined {
    return /:(v\d+\.\d+\.\d+)(@sha256:[a-f0-9]{64})?$/.exec(image)?.[1];
}

export interface AwsLoadBalancerControllerArgs {
    /** AWS region of the cluster; passed to the controller, which cannot read instance metadata. */
    region: string;
    /** The cluster's name as the cluster resource outputs it. */
    clusterName: pulumi.Input<string>;
    /** VPC the cluster runs in; passed to the controller for the same reason. */
    vpcId: pulumi.Input<string>;
    /** Pinned controller image with a vX.Y.Z tag (the CRDs are fetched for that release). */
    image: string;
    /** Kubernetes provider of the cluster. */
    provider: k8s.Provider;
    /** Node selector for the controller (the system pool). */
    nodeSelector: Record<string, string>;
    /** The cert-manager add-on that issues the webhook certificate. */
    certManager: pulumi.Resource;
    /** Controller replicas; default 2 (one leads, one stands by, the webhook stays up). */
    replicas?: number;
    /** What the controller must wait for (node groups, add-ons). */
    dependsOn?: pulumi.Resource[];
    /** The AWS provider every region shares; default the ambient one. */
    awsProvider?: aws.Provider;
}

/**
 * The AWS Load Balancer Controller as plain Kubernetes objects (so every one of them is visible
 * to policies), its Pod Identity role with the upstream IAM policy, a cert-manager certificate
 * for its admission webhooks, and the `alb` IngressClass the serving stack's Ingress uses.
 */
export class AwsLoadBalancerController extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly ingressClass: k8s.networking.v1.IngressClass;
    public readonly role: PodIdentityRole;
    /** Ingresses of class `alb` must wait for these. */
    public readonly readyResources: pulumi.Resource[];

    constructor(name: string, args: AwsLoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:aws:LoadBalancerController", name, {}, opts);
        const version = controllerVersion(args.image);
        const replicas = args.replicas ?? 2;
        const problems: string[] = [];
        if (!version) problems.push(`image '${args.image}' must carry a vX.Y.Z tag: the controller's CRDs are installed for that release`);
        if (!Number.isInteger(replicas) || replicas < 1) problems.push(`replicas must be 1 or more, got ${replicas}`);
        if (problems.length > 0 || !version) throw new Error(`AwsLoadBalancerController ${name}: ${problems.join("; ")}`);

        // Scoped to this cluster's tag, region and VPC: one region's controller cannot touch another's load balancers.
        const accountId = aws.getCallerIdentityOutput({}, { parent: this, provider: args.awsProvider }).accountId;
        const policy = pulumi
            .all([accountId, args.clusterName, args.vpcId])
            .apply(([account, cluster, vpcId]) =>
                JSON.stringify(loadBalancerControllerPolicy({ clusterName: cluster, region: args.region, accountId: account, vpcId })),
            );
        this.role = new PodIdentityRole(
            `${name}-identity`,
            {
                region: args.region,
                clusterName: args.clusterName,
                serviceAccount: { namespace: LBC_NAMESPACE, name: LBC_NAME },
                policy,
                provider: args.awsProvider,
            },
            { parent: this },
        );

        const base = args.dependsOn ?? [];
        const opt = (...extra: pulumi.Resource[]) => ({ parent: this, provider: args.provider, dependsOn: [...base, ...extra] });
        const selectorLabels = { "app.kubernetes.io/name": LBC_NAME };
        const labels = { ...selectorLabels, "app.kubernetes.io/part-of": "modelfleet" };
        const namespaced = (objectName: string) => ({ name: objectName, namespace: LBC_NAMESPACE, labels });

        const crds = new k8s.yaml.v2.ConfigFile(`${name}-crds`, { file: controllerCrdUrl(version) }, opt());

        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: namespaced(LBC_NAME) }, opt());
        const subjects = [{ kind: "ServiceAccount", name: LBC_NAME, namespace: LBC_NAMESPACE }];
        const leaderRole = new k8s.rbac.v1.Role(
            `${name}-leader-election`,
            {
                metadata: namespaced(`${LBC_NAME}-leader-election-role`),
                rules: leaderElectionRules(),
            },
            opt(),
        );
        const leaderBinding = new k8s.rbac.v1.RoleBinding(
            `${name}-leader-election`,
            {
                metadata: namespaced(`${LBC_NAME}-leader-election-rolebinding`),
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `${LBC_NAME}-leader-election-role` },
                subjects,
            },
            opt(leaderRole),
        );
        const clusterRole = new k8s.rbac.v1.ClusterRole(
            `${name}-clusterrole`,
            {
                metadata: { name: `${LBC_NAME}-role`, labels },
                rules: controllerClusterRules(),
            },
            opt(),
        );
        const clusterBinding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-clusterrolebinding`,
            {
                metadata: { name: `${LBC_NAME}-rolebinding`, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${LBC_NAME}-role` },
                subjects,
            },
            opt(clusterRole),
        );

        // Only the API server calls the webhooks; cert-manager injects the CA into their configurations.
        const { certificate } = selfSignedServingCertificate(
            name,
            {
                namespace: LBC_NAMESPACE,
                serviceName: WEBHOOK_SERVICE,
                issuerName: "aws-load-balancer-selfsigned-issuer",
                certificateName: SERVING_CERT,
                secretName: WEBHOOK_SECRET,
                labels,
            },
            opt(args.certManager),
        );

        const webhookService = new k8s.core.v1.Service(
            `${name}-webhook`,
            {
                metadata: namespaced(WEBHOOK_SERVICE),
                spec: {
                    selector: selectorLabels,
                    ports: [{ name: "webhook-server", port: 443, targetPort: "webhook-server", protocol: "TCP" }],
                },
            },
            opt(),
        );

        const clusterName = pulumi.output(args.clusterName);
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: namespaced(LBC_NAME),
                spec: {
                    replicas,
                    selector: { matchLabels: selectorLabels },
                    template: {
                        metadata: { labels, annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(METRICS_PORT) } },
                        spec: {
                            serviceAccountName: LBC_NAME,
                            priorityClassName: "system-cluster-critical",
                            nodeSelector: args.nodeSelector,
                            terminationGracePeriodSeconds: 10,
                            securityContext: { runAsNonRoot: true, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
                            affinity: {
                                podAntiAffinity: {
                                    preferredDuringSchedulingIgnoredDuringExecution: [
                                        {
                                            weight: 100,
                                            podAffinityTerm: {
                                                labelSelector: { matchLabels: selectorLabels },
                                                topologyKey: "kubernetes.io/hostname",
                                            },
                                        },
                                    ],
                                },
                            },
                            containers: [
                                {
                                    name: "controller",
                                    image: args.image,
                                    imagePullPolicy: "IfNotPresent",
                                    args: pulumi
                                        .all([clusterName, args.vpcId])
                                        .apply(([cluster, vpcId]) => [
                                            `--cluster-name=${cluster}`,
                                            `--ingress-class=${ALB_INGRESS_CLASS}`,
                                            `--aws-region=${args.region}`,
                                            `--aws-vpc-id=${vpcId}`,
                                            `--webhook-bind-port=${WEBHOOK_PORT}`,
                                            `--metrics-bind-addr=:${METRICS_PORT}`,
                                            `--health-probe-bind-addr=:${HEALTH_PORT}`,
                                        ]),
                                    ports: [
                                        { name: "webhook-server", containerPort: WEBHOOK_PORT, protocol: "TCP" },
                                        { name: "metrics-server", containerPort: METRICS_PORT, protocol: "TCP" },
                                        { name: "health", containerPort: HEALTH_PORT, protocol: "TCP" },
                                    ],
                                    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
                                    livenessProbe: {
                                        httpGet: { path: "/healthz", port: HEALTH_PORT },
                                        initialDelaySeconds: 30,
                                        timeoutSeconds: 10,
                                        failureThreshold: 2,
                                    },
                                    readinessProbe: {
                                        httpGet: { path: "/readyz", port: HEALTH_PORT },
                                        initialDelaySeconds: 10,
                                        timeoutSeconds: 10,
                                        failureThreshold: 2,
                                    },
                                    securityContext: {
                                        runAsNonRoot: true,
                                        allowPrivilegeEscalation: false,
                                        readOnlyRootFilesystem: true,
                                        capabilities: { drop: ["ALL"] },
                                    },
                                    volumeMounts: [{ name: "cert", mountPath: "/tmp/k8s-webhook-server/serving-certs", readOnly: true }],
                                },
                            ],
                            volumes: [{ name: "cert", secret: { secretName: WEBHOOK_SECRET, defaultMode: 0o444 } }],
                        },
                    },
                },
            },
            opt(crds, serviceAccount, leaderBinding, clusterBinding, certificate, webhookService, ...this.role.readyResources),
        );
        const budget = new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            { metadata: namespaced(LBC_NAME), spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels } } },
            opt(),
        );

        // Registered only once the controller serves them, so no write is ever sent to a webhook that is not there.
        const webhookMetadata = {
            name: `${LBC_NAME}-webhook`,
            labels,
            annotations: { "cert-manager.io/inject-ca-from": `${LBC_NAMESPACE}/${SERVING_CERT}` },
        };
        const mutating = new k8s.admissionregistration.v1.MutatingWebhookConfiguration(
            `${name}-mutating`,
            {
                metadata: webhookMetadata,
                webhooks: mutatingWebhooks(),
            },
            opt(this.deployment, certificate),
        );
        const validating = new k8s.admissionregistration.v1.ValidatingWebhookConfiguration(
            `${name}-validating`,
            {
                metadata: webhookMetadata,
                webhooks: validatingWebhooks(),
            },
            opt(this.deployment, certificate),
        );

        // Settings every ALB of the class gets, whatever an Ingress's annotations say.
        const classParams = new k8s.apiextensions.CustomResource(
            `${name}-class-params`,
            {
                apiVersion: "elbv2.k8s.aws/v1beta1",
                kind: "IngressClassParams",
                metadata: { name: ALB_INGRESS_CLASS, labels },
                spec: {
                    ipAddressType: "ipv4",
                    loadBalancerAttributes: [{ key: "routing.http.drop_invalid_header_fields.enabled", value: "true" }],
                },
            },
            opt(crds, validating),
        );
        this.ingressClass = new k8s.networking.v1.IngressClass(
            `${name}-class`,
            {
                metadata: { name: ALB_INGRESS_CLASS, labels },
                spec: {
                    controller: "ingress.k8s.aws/alb",
                    parameters: { apiGroup: "elbv2.k8s.aws", kind: "IngressClassParams", name: ALB_INGRESS_CLASS },
                },
            },
            opt(classParams),
        );

        this.readyResources = [this.deployment, budget, mutating, validating, this.ingressClass];
        this.registerOutputs({
            roleArn: this.role.roleArn,
            deployment: this.deployment,
            ingressClass: this.ingressClass,
            role: this.role,
            readyResources: this.readyResources,
        });
    }
}
