import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export interface SelfSignedServingCertificateArgs {
    /** Namespace of the Service, and of the Issuer, Certificate and Secret made here (required). */
    namespace: string;
    /** The Service the API server dials; the certificate names `<service>.<namespace>.svc` and its long form (required). */
    serviceName: string;
    /** Name of the namespaced self-signed Issuer (required). */
    issuerName: string;
    /** Name of the Certificate, which `cert-manager.io/inject-ca-from` annotations point at (required). */
    certificateName: string;
    /** Secret cert-manager writes the key pair into, which the serving pods mount (required). */
    secretName: string;
    /** Labels of the Issuer and the Certificate (required). */
    labels: Record<string, string>;
    /** Private key settings; default none set (cert-manager's own defaults apply). */
    privateKey?: { algorithm: "RSA" | "ECDSA" | "Ed25519"; size?: number; rotationPolicy?: "Never" | "Always" };
    /** API group written into the issuer reference; default none set (cert-manager reads it as cert-manager.io). */
    issuerGroup?: string;
}

/** Options of both children: the Certificate waits for everything the Issuer does, and for the Issuer. */
export interface ServingCertificateOptions {
    /** The component that owns both resources. */
    parent: pulumi.Resource;
    /** Kubernetes provider of the cluster. */
    provider: k8s.Provider;
    /** What the Issuer must wait for; cert-manager must be among them unless it already runs. */
    dependsOn: pulumi.Resource[];
}

/**
 * A cert-manager self-signed Issuer and the serving Certificate it signs for an endpoint only
 * the API server calls (an admission webhook, an aggregated APIService). Self-signed is enough:
 * the API server trusts the CA that cert-manager's cainjector writes into the webhook
 * configuration or APIService annotated with `cert-manager.io/inject-ca-from`. The children are
 * named `${name}-issuer` and `${name}-serving-cert`, where `name` is the owning component's.
 */
export function selfSignedServingCertificate(
    name: string,
    args: SelfSignedServingCertificateArgs,
    opts: ServingCertificateOptions,
): { issuer: k8s.apiextensions.CustomResource; certificate: k8s.apiextensions.CustomResource } {
    const { namespace, labels } = args;
    const issuer = new k8s.apiextensions.CustomResource(
        `${name}-issuer`,
        {
            apiVersion: "cert-manager.io/v1",
            kind: "Issuer",
            metadata: { name: args.issuerName, namespace, labels },
            spec: { selfSigned: {} },
        },
        { parent: opts.parent, provider: opts.provider, dependsOn: opts.dependsOn },
    );
    const certificate = new k8s.apiextensions.CustomResource(
        `${name}-serving-cert`,
        {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: args.certificateName, namespace, labels },
            spec: {
                secretName: args.secretName,
                // The name the API server dials (service.namespace.svc) and its long form.
                dnsNames: [`${args.serviceName}.${namespace}.svc`, `${args.serviceName}.${namespace}.svc.cluster.local`],
                ...(args.privateKey ? { privateKey: args.privateKey } : {}),
                issuerRef: { name: args.issuerName, kind: "Issuer", ...(args.issuerGroup ? { group: args.issuerGroup } : {}) },
            },
        },
        { parent: opts.parent, provider: opts.provider, dependsOn: [...opts.dependsOn, issuer] },
    );
    return { issuer, certificate };
}
