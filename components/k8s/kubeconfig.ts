/** The credential plugin a kubeconfig's user runs for a short-lived token on each call. */
export interface ExecCredentialPlugin {
    /** The plugin's executable, looked up on PATH (required). */
    command: string;
    /** The plugin's arguments; default none. */
    args?: string[];
    /** Hand the plugin the cluster's server and CA (`KUBERNETES_EXEC_INFO`); default false. */
    provideClusterInfo?: boolean;
    /** What to print when the executable is missing; default none. */
    installHint?: string;
}

export interface ExecKubeconfigArgs {
    /** Context, cluster and user name inside the kubeconfig (required). */
    name: string;
    /** API server URL with its scheme (required). */
    server: string;
    /** Base64 certificate authority data of the API server (required). */
    certificateAuthorityData: string;
    /** The plugin that issues the user's token (required). */
    exec: ExecCredentialPlugin;
}

/** A kubeconfig document with one cluster, one context and one exec-plugin user. */
export interface ExecKubeconfig {
    apiVersion: "v1";
    kind: "Config";
    clusters: Array<{ name: string; cluster: { server: string; "certificate-authority-data": string } }>;
    contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
    "current-context": string;
    users: Array<{ name: string; user: { exec: Record<string, unknown> } }>;
}

/**
 * A kubeconfig that holds no credential: every call runs the plugin for a short-lived token,
 * never prompting (`interactiveMode: Never`), since `pulumi up` has no terminal to answer one.
 * Plain data: the caller serialises it (JSON or YAML, both of which the Kubernetes provider reads).
 */
export function execKubeconfig(args: ExecKubeconfigArgs): ExecKubeconfig {
    const { name, exec } = args;
    return {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: args.server, "certificate-authority-data": args.certificateAuthorityData } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [
            {
                name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: exec.command,
                        ...(exec.args ? { args: exec.args } : {}),
                        ...(exec.provideClusterInfo ? { provideClusterInfo: true } : {}),
                        interactiveMode: "Never",
                        ...(exec.installHint ? { installHint: exec.installHint } : {}),
                    },
                },
            },
        ],
    };
}
