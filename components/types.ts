import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Cloud } from "../config";
import type { AcmeIssuerSettings } from "./global/acmeDns01";

/** Where a GPU pool's pods must go, whatever the cloud. */
export interface GpuPoolPlacement {
    name: string;
    /** Node labels that select only this pool's nodes. */
    nodeSelector: Record<string, string>;
    /** Tolerations for the pool's taints. */
    tolerations: k8s.types.input.core.v1.Toleration[];
    gpusPerNode: number;
    /** e.g. nvidia-l4. */
    gpuModel: string;
}

/** How pods in this cluster get read access to the model store without static keys. */
export type WorkloadIdentity =
    /** EKS Pod Identity: associations are made per (namespace, service account) on the cluster. */
    | { kind: "eks-pod-identity"; clusterName: pulumi.Output<string> }
    /** GKE Workload Identity: bind a Google service account to `<project>.svc.id.goog[ns/sa]`. */
    | { kind: "gke-workload-identity"; project: string; workloadPool: pulumi.Output<string> }
    /** Existing clusters: read-only keys from secret config, mounted from a Kubernetes Secret. */
    | { kind: "static-credentials" };

/** How the cluster takes HTTPS traffic in. */
export type IngressFlavour =
    | { kind: "alb"; className: string }
    | { kind: "gce"; className: "gce" }
    | { kind: "class"; className: string; certIssuer: { name: string; kind: "ClusterIssuer" | "Issuer" } };

/** Which Prometheus reads the cluster's scrape targets and alert rules. */
export interface ClusterMonitoring {
    /**
     * `prometheus-operator`: ServiceMonitor and PrometheusRule (monitoring.coreos.com/v1);
     * `gke-managed-prometheus`: PodMonitoring and Rules (monitoring.googleapis.com/v1), read
     * by GKE's managed collection.
     */
    kind: "prometheus-operator" | "gke-managed-prometheus";
    /** Namespaces whose pods scrape workloads; NetworkPolicies admit them to the metrics ports. */
    scraperNamespaces: string[];
    /** Annotations of the custom-metrics adapter's service account (GKE: its Workload Identity); default none. */
    metricsAdapterAnnotations?: Record<string, pulumi.Input<string>>;
}

/** What every region component yields; the serving stack sees only this. */
export interface RegionCluster {
    /** Region entry name from config, e.g. use1. */
    regionName: string;
    cloud: Cloud;
    /** Cloud region (or free-form location for existing clusters). */
    location: string;
    clusterName: pulumi.Output<string>;
    /** Kubernetes API server URL. */
    endpoint: pulumi.Output<string>;
    /** Every Kubernetes object in this cluster is created through this provider. */
    provider: k8s.Provider;
    /** GPU pools by name. */
    gpuPools: Record<string, GpuPoolPlacement>;
    /** Node selector for CPU workloads (the system pool). */
    systemNodeSelector: Record<string, string>;
    /** Zones the nodes span; spread constraints use topology.kubernetes.io/zone. */
    zones: pulumi.Output<string[]>;
    workloadIdentity: WorkloadIdentity;
    ingress: IngressFlavour;
    /** Which monitoring CRDs workloads use and who may scrape them; the region installs the CRDs or the cluster has them. */
    monitoring: ClusterMonitoring;
    /**
     * AWS only: the private subnets' S3 gateway endpoint and the AWS-owned buckets the nodes
     * pull from; the model store sets the endpoint's policy once its buckets exist.
     */
    s3GatewayEndpoint?: { endpointId: pulumi.Output<string>; nodeBuckets: string[] };
    /**
     * Resources Kubernetes objects must wait for (node groups, add-ons, controllers),
     * so workloads are not created into a cluster that cannot run them yet.
     */
    readyResources: pulumi.Resource[];
}

/** The Kubernetes service account TorchServe runs as; model-store identities are bound to it. */
export const TORCHSERVE_SERVICE_ACCOUNT = "torchserve";

/** How the serving stack in one region reads its copy of the model store. */
export interface ModelStoreAccess {
    /** `s3` (AWS copy, also used by existing clusters) or `gcs`. */
    kind: "s3" | "gcs";
    /** This region's copy, e.g. s3://modelfleet-models-use1-1a2b3c4d or gs://... */
    uri: pulumi.Output<string>;
    /** Cloud region of the bucket (the S3 client needs it). */
    bucketRegion: string;
    /** Annotations for the TorchServe service account (GKE: iam.gke.io/gcp-service-account). */
    serviceAccountAnnotations: Record<string, pulumi.Input<string>>;
    /** Existing clusters only: read-only keys, put into a Kubernetes Secret by the serving stack. */
    staticCredentials?: { accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };
    /** Identity bindings pods must wait for (Pod Identity association, IAM bindings). */
    readyResources: pulumi.Resource[];
}

/** TLS for one region's ingress, made before the serving stack. */
export type RegionTls =
    | { kind: "acm"; hosts: string[]; certificateArn: pulumi.Output<string>; readyResources: pulumi.Resource[] }
    | {
          kind: "gcp-managed";
          hosts: string[];
          /** Certificate Manager certificate map name, attached to the Gateway with networking.gke.io/certmap. */
          certificateMapName: pulumi.Output<string>;
          /** compute.GlobalAddress name, attached with kubernetes.io/ingress.global-static-ip-name. */
          staticIpName: pulumi.Output<string>;
          staticIpAddress: pulumi.Output<string>;
          /** compute.SSLPolicy name, referenced from the Gateway's GCPGatewayPolicy. */
          sslPolicyName: pulumi.Output<string>;
          readyResources: pulumi.Resource[];
      }
    | {
          kind: "cert-manager";
          hosts: string[];
          /** Secret the Certificate writes, which the Ingress reads. */
          secretName: string;
          /** The cert-manager issuer that signs it. */
          issuer: { name: string; kind: "ClusterIssuer" | "Issuer" };
          /**
           * Set when the program makes the issuer (regions[].certIssuer.acme): an ACME Issuer
           * solving DNS-01 in Route 53 with this key, which the serving stack puts beside it.
           */
          acme?: { issuer: AcmeIssuerSettings; accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };
          readyResources: pulumi.Resource[];
          /**
           * Earlier identities of the Certificate, which the serving stack makes in its own
           * namespace: a stack that made it elsewhere keeps the object instead of replacing it.
           */
          certificateAliases: pulumi.Input<pulumi.Alias>[];
      };

/** What the serving stack in a region hands the global entry. */
export interface ServingEndpoint {
    regionName: string;
    cloud: Cloud;
    /** Address the cloud load balancer got (ALB DNS name on AWS, the static IP on GCP, unset elsewhere). */
    loadBalancerHostname: pulumi.Output<string | undefined>;
    loadBalancerIp: pulumi.Output<string | undefined>;
}
