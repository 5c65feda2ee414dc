import { keepSettingsSecret, loadConfig, secretOutput } from "./config";
import { RegionCertificate } from "./components/global/certificate";
import { GlobalEntry, hostedZoneId } from "./components/global/entry";
import { globalNameAuthorizations } from "./components/global/gcpDnsAuthorization";
import { ImageRegistry } from "./components/global/imageRegistry";
import { ModelStore } from "./components/global/modelStore";
import { ServingStack } from "./components/k8s/servingStack";
import { createProviders, createRegion } from "./components/regions";
import { formerAliases } from "./components/renames";

const config = loadConfig();
// Before any resource: a plain setting set with --secret stays secret in every input that holds it.
keepSettingsSecret(config.secretSettings ?? []);
const keep = (value: unknown): unknown => secretOutput(value, config.secretSettings ?? []);
const providers = createProviders(config);

// Regions are independent: nothing of one region depends on another's, so `pulumi up`
// builds them in parallel.
const clusters = Object.fromEntries(config.regions.map((region) => [region.name, createRegion(config, region, providers)]));

const modelStore = new ModelStore("model-store", {
    config,
    clusters,
    awsProvider: providers.aws,
    gcpProviders: providers.gcp,
    gcpApis: providers.gcpApis,
});
const imageRegistry = new ImageRegistry("llm-image", {
    config,
    awsProvider: providers.aws,
    gcpProviders: providers.gcp,
    gcpApis: providers.gcpApis,
});
const zoneId = hostedZoneId(config, providers.aws);

// A new stack's first run stops here (deployStage: modelStore): its buckets get a random
// suffix in this run, so no archive can exist yet for the serving pods to load. Publish, then
// run again with deployStage: serving (docs/runbooks/first-deploy.md).
const servingStage = config.deployStage === "serving";

// Certificate Manager's authorization of <domain>, one per GCP project with a routed region.
const gcpGlobalName = servingStage
    ? globalNameAuthorizations({ config, zoneId, awsProvider: providers.aws, gcpProviders: providers.gcp, gcpApis: providers.gcpApis })
    : {};

const serving = (servingStage ? config.regions : []).map((region) => {
    const certificate = new RegionCertificate(
        `${region.name}-tls`,
        {
            config,
            region,
            cluster: clusters[region.name],
            zoneId,
            awsProvider: providers.aws,
            gcpProvider: region.cloud === "gcp" ? providers.gcp[region.project] : undefined,
            gcpApis: region.cloud === "gcp" ? providers.gcpApis[region.project] : undefined,
            globalNameAuthorization: region.cloud === "gcp" ? gcpGlobalName[region.project] : undefined,
        },
        { aliases: formerAliases(region, (n) => `${n}-tls`) },
    );
    return new ServingStack(
        `${region.name}-serving`,
        {
            config,
            region,
            cluster: clusters[region.name],
            modelStore: modelStore.access[region.name],
            tls: certificate.tls,
            llmImage: imageRegistry.sources[region.name],
        },
        { aliases: formerAliases(region, (n) => `${n}-serving`) },
    );
});

const globalEntry = servingStage
    ? new GlobalEntry("global", {
          config,
          zoneId,
          endpoints: serving.filter((s) => config.routedRegions.includes(s.endpoint.regionName)).map((s) => s.endpoint),
          awsProvider: providers.aws,
          alarmActions: config.globalEntry.alarmTopicArns,
      })
    : undefined;

export const deployStage = keep(config.deployStage);
// Nothing is routed before the serving stage; empty rather than absent, so readers need no special case.
export const globalUrl = keep(globalEntry?.url ?? null);
export const regionEndpoints = keep(globalEntry?.regionEndpoints ?? {});
export const healthCheckIds = keep(globalEntry?.healthCheckIds ?? {});
export const skippedRegions = keep(globalEntry?.skippedRegions ?? []);
export const clusterNames = keep(Object.fromEntries(Object.entries(clusters).map(([name, c]) => [name, c.clusterName])));
// Edge endpoints come from a secret kubeconfig and stay secret; exported apart from the names.
export const clusterEndpoints = keep(Object.fromEntries(Object.entries(clusters).map(([name, c]) => [name, c.endpoint])));
export const modelStoreBuckets = keep(modelStore.bucketUris);
export const modelStorePrimaryBucket = keep(modelStore.primaryBucketName);
export const publishModelCommand = keep(modelStore.publishCommand);
// Attach to each edge site's read-only IAM user, made outside the stack (docs/model-store.md).
export const modelStoreEdgeReaderPolicies = keep(modelStore.edgeReaderPolicies);
export const modelStoreTransferJobs = keep(modelStore.transferJobNames);
// The main workflow pushes the LLM-track image here; its digest goes into images.torchserveLlmDigest (docs/serving.md).
export const llmImagePushTargets = keep(imageRegistry.pushTargets);
