/**
 * Upper and lower bounds of the stack config, each with where it comes from: a limit a
 * cloud or Kubernetes documents, or the reason this program has for it. The schema and
 * the cross-field checks both read them, so a bound and its message live in one place.
 */
import { ConfigProblem, setCommand } from "./errors";
import type { ParsedSettings } from "./schema";

export const limits = {
    /**
     * Regions in one stack. Each routed region has three Route 53 health checks (gateway,
     * TorchServe, and the pair), and Route 53 allows 200 per account by default
     * (docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html): 64 x 3 = 192.
     * `pulumi up` and the offline plan also hold every region's resources in memory at once.
     */
    regions: 64,
    /** Models in one stack: every TorchServe pod of a region keeps at least one worker per model it serves on its GPU(s). */
    models: 32,
    /** GPU pools of an AWS region: EKS allows 30 managed node groups per cluster (docs.aws.amazon.com/eks/latest/userguide/service-quotas.html), one is the system pool. */
    awsGpuPools: 29,
    /** GPU pools of a GCP region: GKE allows 15 node pools per cluster (cloud.google.com/kubernetes-engine/quotas), one is the system pool. */
    gcpGpuPools: 14,
    /** GPU pools declared for an existing cluster: each becomes a TorchServe placement choice and a set of node labels. */
    existingGpuPools: 16,
    /**
     * Instance types of one EKS managed node group: EKS turns them into the Auto Scaling
     * group's launch-template overrides, of which the Auto Scaling API takes at most 40
     * (LaunchTemplate.Overrides, docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LaunchTemplate.html).
     */
    instanceTypes: 40,
    /** Zones of one GKE node pool: GCP regions have at most 4 zones. */
    zones: 4,
    /** EKS public endpoint CIDR blocks per cluster (docs.aws.amazon.com/eks/latest/userguide/service-quotas.html: 40). */
    endpointPublicAccessCidrs: 40,
    /** GKE authorized networks per cluster on a public endpoint (cloud.google.com/kubernetes-engine/quotas: 50). */
    masterAuthorizedNetworks: 50,
    /** Alarm actions per CloudWatch alarm state (PutMetricAlarm AlarmActions: at most 5 items). */
    alarmTopicArns: 5,
    /** Models a region lists: at most the stack's models. */
    regionModels: 32,
    /** Managed add-on overrides of an EKS cluster: the program installs five add-ons. */
    addons: 16,
    /** Labels in an existing pool's node selector. */
    nodeSelector: 16,
    /** S3 and GCS object keys are at most 1024 bytes (docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html, cloud.google.com/storage/docs/objects#naming). */
    objectKeyBytes: 1024,
    /**
     * Seconds a model response may take: the ALB idle timeout is at most 4000 s
     * (docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html)
     * and the load balancers get the longest response timeout plus 30 s of margin.
     */
    responseTimeoutSeconds: 3970,
    /**
     * Days a noncurrent model version is kept. S3 and GCS lifecycle rules document no
     * maximum; ten years bounds a typo (36500 for 365) that would keep every overwritten archive forever.
     */
    retentionDays: 3650,
    /** Days an unfinished multipart upload is kept: its parts are billed until aborted, and no upload of an archive takes a month. */
    abortIncompleteUploadDays: 30,
    /** Minutes between Storage Transfer runs: a GCS copy more than a week behind the primary serves stale models. */
    transferIntervalMinutes: 7 * 24 * 60,
    /** Replicas of one Deployment: Kubernetes supports clusters of at most 5000 nodes (kubernetes.io/docs/setup/best-practices/cluster-large/). */
    replicas: 5000,
    /** Nodes of an EKS managed node group (docs.aws.amazon.com/eks/latest/userguide/service-quotas.html: 450). */
    awsNodesPerPool: 450,
    /** Nodes of a GKE node pool per zone (cloud.google.com/kubernetes-engine/quotas: 1000). */
    gcpNodesPerPool: 1000,
    /** Kubernetes object names (DNS subdomains) are at most 253 characters. */
    objectName: 253,
    /** Kubernetes label values and DNS labels are at most 63 characters. */
    label: 63,
} as const;

/**
 * Namespaces the serving stack must never be deployed into: its namespace gets a
 * restricted Pod Security label, a default-deny network policy and a quota, which would
 * break the cluster's own components there. Kubernetes reserves `default` and the `kube-`
 * prefix (kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/); GKE
 * manages the `gke-` and `gmp-` namespaces (cloud.google.com/kubernetes-engine/docs/concepts/autopilot-security,
 * "managed namespaces"); EKS add-ons install into `amazon-` and `aws-` namespaces
 * (amazon-cloudwatch, amazon-guardduty, aws-observability).
 */
export const reservedNamespaces = ["default"] as const;
export const reservedNamespacePrefixes = ["kube-", "gke-", "gmp-", "amazon-", "aws-"] as const;

/** Why a namespace is reserved, or undefined when it is free to use. */
export function reservedNamespaceReason(namespace: string): string | undefined {
    if ((reservedNamespaces as readonly string[]).includes(namespace)) return `'${namespace}' is a namespace Kubernetes creates for itself`;
    const prefix = reservedNamespacePrefixes.find((p) => namespace.startsWith(p));
    return prefix ? `namespaces starting with '${prefix}' are reserved for the cluster's own components` : undefined;
}

/**
 * Smallest requests the serving containers get. TorchServe runs a Java frontend and one
 * Python process per worker, each with its own CUDA context (several hundred MiB of host
 * memory apiece): below 1 CPU and 2Gi it is throttled or OOM-killed while loading a model.
 * The gateway is one Rust process, but it buffers streamed responses and keeps connection
 * pools: below 100m and 256Mi it falls behind under load and is OOM-killed in bursts.
 */
export const minimumRequests = {
    torchserve: { cpu: "1", memory: "2Gi", cpuMilli: 1000, memoryBytes: 2 * 2 ** 30 },
    gateway: { cpu: "100m", memory: "256Mi", cpuMilli: 100, memoryBytes: 256 * 2 ** 20 },
} as const;

const binaryUnits: Record<string, number> = { "": 1, m: 0.001, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Millicores of a CPU quantity the schema accepted (`4`, `500m`, `0.5`); NaN for a memory suffix. */
export function quantityMilliCpu(quantity: string): number {
    const m = /^([0-9]+(?:\.[0-9]+)?)(m)?$/.exec(quantity);
    if (!m) return NaN;
    return m[2] === "m" ? Number(m[1]) : Number(m[1]) * 1000;
}

/** Bytes of a memory quantity the schema accepted (`16Gi`, `512Mi`, `1000000`). */
export function quantityBytes(quantity: string): number {
    const m = /^([0-9]+(?:\.[0-9]+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(quantity);
    if (!m) return NaN;
    return Number(m[1]) * binaryUnits[m[2] ?? ""];
}

/** The CIDR block's network address when host bits are set, else undefined (`10.1.2.3/16` → `10.1.0.0/16`). */
export function networkAddressIfHostBits(cidr: string): string | undefined {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m) return undefined;
    const prefix = Number(m[5]);
    const address = m.slice(1, 5).reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const size = 2 ** (32 - prefix);
    const network = Math.floor(address / size) * size;
    if (network === address) return undefined;
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
    return `${octets.join(".")}/${prefix}`;
}

/** The object key a model archive is stored under; kept in step with the model store's naming. */
function archiveKey(name: string, version: string): string {
    return `models/${name}/${version}/${name}.mar`;
}

/** Cross-field bounds: archive key length, serving minimums, checker regions, reserved namespaces, rename keys. */
export function boundProblems(s: ParsedSettings): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const add = (path: string, message: string, fix: string) => problems.push({ path, message, fix });

    s.models.forEach((m, i) => {
        const bytes = Buffer.byteLength(archiveKey(m.name, m.version), "utf8");
        if (bytes > limits.objectKeyBytes) {
            add(
                `models[${i}].version`,
                `makes the archive key models/<name>/<version>/<name>.mar ${bytes} bytes long; S3 and GCS keys stop at ${limits.objectKeyBytes} bytes`,
                setCommand(`models[${i}].version`, "<a shorter version, e.g. 2024-07-18>"),
            );
        }
    });

    const reason = reservedNamespaceReason(s.serving.namespace);
    if (reason) {
        add(
            "serving.namespace",
            `is '${s.serving.namespace}': ${reason}, and the serving stack would put a restricted Pod Security label, a default-deny network policy and a quota on it`,
            setCommand("serving.namespace", "modelfleet"),
        );
    }

    for (const which of ["torchserve", "gateway"] as const) {
        const min = minimumRequests[which];
        const { cpu, memory } = s.serving[which];
        if (quantityMilliCpu(cpu) < min.cpuMilli) {
            add(
                `serving.${which}.cpu`,
                `is ${cpu}; ${which} needs at least ${min.cpu} CPU to start and keep up (see config/bounds.ts)`,
                setCommand(`serving.${which}.cpu`, `"${min.cpu}"`),
            );
        } else if (Number.isNaN(quantityMilliCpu(cpu))) {
            add(`serving.${which}.cpu`, `'${cpu}' is a memory quantity, not CPU`, setCommand(`serving.${which}.cpu`, `"${min.cpu}"`));
        }
        if (quantityBytes(memory) < min.memoryBytes) {
            add(
                `serving.${which}.memory`,
                `is ${memory}; ${which} needs at least ${min.memory} of memory or it is OOM-killed (see config/bounds.ts)`,
                setCommand(`serving.${which}.memory`, min.memory),
            );
        }
    }

    // A region's model-store copy is keyed by formerName ?? name; two regions must not share one.
    const keys = new Map<string, number>();
    s.regions.forEach((r, i) => {
        const at = `regions[${i}]`;
        if (r.formerName !== undefined && r.formerName === r.name) {
            add(`${at}.formerName`, `is the region's own name '${r.name}'`, `pulumi config rm --path '${at}.formerName'`);
        }
        const key = r.formerName ?? r.name;
        const other = keys.get(key);
        // Two plain names that collide are already reported as duplicate region names.
        if (other !== undefined && (r.formerName !== undefined || s.regions[other].formerName !== undefined)) {
            add(
                `${at}.${r.formerName !== undefined ? "formerName" : "name"}`,
                `'${key}' already names the model-store copy of regions[${other}] (${s.regions[other].name}); two regions cannot share one copy`,
                r.formerName !== undefined ? `pulumi config rm --path '${at}.formerName'` : setCommand(`${at}.name`, `${key}-2`),
            );
        } else keys.set(key, i);
    });

    const seen = new Set<string>();
    s.globalEntry.healthCheck.regions.forEach((r, i) => {
        if (seen.has(r)) {
            add(
                `globalEntry.healthCheck.regions[${i}]`,
                `repeats '${r}'; Route 53 needs distinct checker regions (a repeat adds no independent vantage point)`,
                `pulumi config rm --path 'globalEntry.healthCheck.regions[${i}]'`,
            );
        }
        seen.add(r);
    });
    return problems;
}
