import type { RegionConfig } from "../../config";
import { setCommand, type ConfigProblem } from "../../config/errors";

/** A region entry with `cloud: existing`. */
export type ExistingRegionConfig = Extract<RegionConfig, { cloud: "existing" }>;

/** Label name part: 1-63 alphanumerics, '-', '_' or '.', alphanumeric at both ends. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** RFC 1123 subdomain: what Kubernetes object names and label key prefixes must be. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a Kubernetes label key, or undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
        return `its prefix '${prefix}' is not a DNS subdomain`;
    if (!LABEL_NAME.test(name))
        return `'${name}' must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
    return undefined;
}

/** Why `value` is not a Kubernetes label value, or undefined when it is one. */
export function labelValueProblem(value: string): string | undefined {
    return value === "" || LABEL_NAME.test(value)
        ? undefined
        : "must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
}

/**
 * What the cluster's API server would refuse, or what would silently misplace pods, that
 * the config schema does not catch: node selectors that are not valid labels, a pool whose
 * selector also matches another pool's nodes, ingress class and issuer names that are not
 * Kubernetes names. `at` is the region's key path, e.g. `regions[3]`. Pure, so config
 * validation can call it.
 */
export function existingRegionProblems(region: ExistingRegionConfig, at: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const add = (path: string, message: string, fix: string) => problems.push({ path, message, fix });

    region.gpuPools.forEach((pool, pi) => {
        const path = `${at}.gpuPools[${pi}].nodeSelector`;
        for (const [key, value] of Object.entries(pool.nodeSelector)) {
            const keyProblem = labelKeyProblem(key);
            if (keyProblem)
                add(
                    path,
                    `has label key '${key}' that is not a Kubernetes label key: ${keyProblem}`,
                    `pulumi config rm --path '${path}["${key}"]', then set a valid key`,
                );
            const valueProblem = labelValueProblem(value);
            if (valueProblem) add(`${path}["${key}"]`, `'${value}' ${valueProblem}`, setCommand(`${path}["${key}"]`, "<value>"));
        }
    });

    // A pool whose selector is contained in another pool's labels also selects that pool's
    // nodes: its pods could land on GPUs of another model or count.
    region.gpuPools.forEach((pool, pi) => {
        region.gpuPools.forEach((other, oi) => {
            if (pi === oi || !selects(pool.nodeSelector, other.nodeSelector)) return;
            if (oi > pi && selects(other.nodeSelector, pool.nodeSelector)) return; // identical pair: report on the later one
            add(
                `${at}.gpuPools[${pi}].nodeSelector`,
                `also selects the nodes of pool '${other.name}' (gpuPools[${oi}]); each pool needs a label only its own nodes carry`,
                setCommand(`${at}.gpuPools[${pi}].nodeSelector["modelfleet.io/gpu-pool"]`, pool.name),
            );
        });
    });

    if (!isObjectName(region.ingressClass)) {
        add(
            `${at}.ingressClass`,
            `'${region.ingressClass}' is not a Kubernetes object name (lowercase letters, digits, '-' and '.')`,
            setCommand(`${at}.ingressClass`, "nginx"),
        );
    }
    if (!isObjectName(region.certIssuer.name)) {
        add(
            `${at}.certIssuer.name`,
            `'${region.certIssuer.name}' is not a Kubernetes object name (lowercase letters, digits, '-' and '.')`,
            setCommand(`${at}.certIssuer.name`, "letsencrypt-prod"),
        );
    }
    if (region.certIssuer.acme && region.certIssuer.kind !== "Issuer") {
        add(
            `${at}.certIssuer.kind`,
            "must be Issuer when certIssuer.acme is set: the program makes the issuer in serving.namespace, beside the Secret with its Route 53 key",
            setCommand(`${at}.certIssuer.kind`, "Issuer"),
        );
    }
    return problems;
}

/** True when every label of `selector` is on nodes labelled `labels`. */
function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function isObjectName(name: string): boolean {
    return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}
