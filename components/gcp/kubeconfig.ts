import { stringify } from "yaml";
import { execKubeconfig } from "../k8s/kubeconfig";

/** Arguments of `gkeKubeconfig`. */
export interface GkeKubeconfigArgs {
    /** Context, cluster and user name inside the kubeconfig. */
    contextName: string;
    /** The cluster's endpoint address (no scheme), as GKE returns it. */
    endpoint: string;
    /** Base64 certificate authority data, as GKE returns it in masterAuth. */
    clusterCaCertificate: string;
}

/**
 * The kubeconfig the program reaches a GKE cluster with. It holds no credential: each call
 * gets a short-lived token from `gke-gcloud-auth-plugin` for whoever runs `pulumi up` (the
 * same identity that holds the GCP provider's credentials), which is what `gcloud container
 * clusters get-credentials` writes too.
 */
export function gkeKubeconfig(args: GkeKubeconfigArgs): string {
    return stringify(
        execKubeconfig({
            name: args.contextName,
            server: `https://${args.endpoint}`,
            certificateAuthorityData: args.clusterCaCertificate,
            exec: {
                command: "gke-gcloud-auth-plugin",
                provideClusterInfo: true,
                installHint:
                    "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin (see https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl)",
            },
        }),
    );
}
