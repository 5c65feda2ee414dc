import { execKubeconfig } from "../k8s/kubeconfig";

/**
 * The kubeconfig the program reaches an EKS cluster with. It holds no credential: each call
 * gets a short-lived token from `aws eks get-token`, as the role the cluster's access entry
 * names, so the deployer needs only permission to assume that role.
 */
export interface EksKubeconfigArgs {
    /** EKS cluster name (also the context, cluster and user name). */
    clusterName: string;
    /** API server URL. */
    endpoint: string;
    /** Base64 certificate authority data, as EKS returns it. */
    certificateAuthorityData: string;
    /** AWS region of the cluster. */
    region: string;
    /** Role the token is issued for; it must have an access entry on the cluster. */
    roleArn?: string;
}

/** A kubeconfig document (JSON is valid YAML, and what the Kubernetes provider accepts). */
export function eksKubeconfig(args: EksKubeconfigArgs): string {
    const tokenArgs = ["eks", "get-token", "--cluster-name", args.clusterName, "--region", args.region, "--output", "json"];
    if (args.roleArn) tokenArgs.push("--role-arn", args.roleArn);
    return JSON.stringify(
        execKubeconfig({
            name: args.clusterName,
            server: args.endpoint,
            certificateAuthorityData: args.certificateAuthorityData,
            exec: { command: "aws", args: tokenArgs },
        }),
    );
}
