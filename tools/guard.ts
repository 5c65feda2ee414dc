/**
 * guard: runs the modelfleet policy pack over Kubernetes YAML (a rendered Helm chart, a
 * directory of manifests) or over an offline plan's plan.json.
 *
 *   npm run guard -- PATH... [--json] [--stack NAME | --policy-config FILE] [--namespace NS] [--one-cluster]
 *
 * Each subdirectory directly below a directory on the command line is one cluster (the offline
 * plan writes `manifests/<cluster>/`); files named directly and the files lying directly in a
 * named directory form one more. Duplicates and per-cluster stack policies see each on its own.
 *
 * Exit 0: no mandatory violation. 1: a mandatory violation. 2: the input, a flag or the
 * policy config is wrong (malformed YAML, a duplicate key, unknown kind, object without
 * metadata.name, a file over its size cap or not a regular file, nothing to check, ...);
 * every such problem is printed, naming file and document, and no verdict is given.
 *
 * It loads only the policy modules and the runner, never a provider SDK, so it starts fast.
 */
import * as fs from "fs";
import * as path from "path";
import { Command, CommanderError } from "commander";
import { LineCounter, parseAllDocuments, type DocumentOptions, type ParseOptions, type SchemaOptions } from "yaml";
import { formatBytes, MAX_PLAN_FILE_BYTES, MiB, readBoundedFile } from "./boundedFile";
import {
    evaluatePolicies,
    hasMandatoryViolation,
    loadPolicyConfig,
    PolicyConfigError,
    PolicyRuntimeError,
    stackPolicyConfigPath,
    type RunnerResource,
} from "./policy-runner";
import type { PolicyReport, PolicyViolation } from "./contracts";

export const EXIT = { clean: 0, mandatoryViolation: 1, badInput: 2 } as const;

export interface GuardOutput {
    out(text: string): void;
    err(text: string): void;
}

const processOutput: GuardOutput = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
};

// ---------------------------------------------------------------------------------------
// Kinds the guard accepts. A kind outside this table is refused rather than passed through
// unchecked, unless the input itself carries its CustomResourceDefinition.

interface KindInfo {
    namespaced: boolean;
}

const NAMESPACED = true;
const CLUSTER = false;

const KNOWN: Array<[apiVersion: string, namespaced: boolean, kinds: string[]]> = [
    [
        "v1",
        NAMESPACED,
        [
            "Pod",
            "Service",
            "ConfigMap",
            "Secret",
            "ServiceAccount",
            "PersistentVolumeClaim",
            "ResourceQuota",
            "LimitRange",
            "Endpoints",
            "ReplicationController",
            "PodTemplate",
        ],
    ],
    ["v1", CLUSTER, ["Namespace", "PersistentVolume"]],
    ["apps/v1", NAMESPACED, ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"]],
    ["batch/v1", NAMESPACED, ["Job", "CronJob"]],
    ["autoscaling/v1", NAMESPACED, ["HorizontalPodAutoscaler"]],
    ["autoscaling/v2", NAMESPACED, ["HorizontalPodAutoscaler"]],
    ["policy/v1", NAMESPACED, ["PodDisruptionBudget"]],
    ["networking.k8s.io/v1", NAMESPACED, ["Ingress", "NetworkPolicy"]],
    ["networking.k8s.io/v1", CLUSTER, ["IngressClass"]],
    ["rbac.authorization.k8s.io/v1", NAMESPACED, ["Role", "RoleBinding"]],
    ["rbac.authorization.k8s.io/v1", CLUSTER, ["ClusterRole", "ClusterRoleBinding"]],
    ["storage.k8s.io/v1", CLUSTER, ["StorageClass", "CSIDriver", "VolumeAttachment"]],
    ["scheduling.k8s.io/v1", CLUSTER, ["PriorityClass"]],
    ["node.k8s.io/v1", CLUSTER, ["RuntimeClass"]],
    ["coordination.k8s.io/v1", NAMESPACED, ["Lease"]],
    ["discovery.k8s.io/v1", NAMESPACED, ["EndpointSlice"]],
    ["apiextensions.k8s.io/v1", CLUSTER, ["CustomResourceDefinition"]],
    ["apiregistration.k8s.io/v1", CLUSTER, ["APIService"]],
    [
        "admissionregistration.k8s.io/v1",
        CLUSTER,
        ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
    ],
    ["certificates.k8s.io/v1", CLUSTER, ["CertificateSigningRequest"]],
    // Custom resources of add-ons a serving cluster commonly runs: Prometheus operator,
    // cert-manager, Gateway API, KEDA, External Secrets, the AWS load balancer controller,
    // GKE ingress, Karpenter, Argo Rollouts. Accepted, not skipped; any of them that carries a
    // pod template (spec.template, spec.jobTemplate.spec.template) is held to the workload policies.
    ["monitoring.coreos.com/v1", NAMESPACED, ["ServiceMonitor", "PodMonitor", "PrometheusRule", "Prometheus", "Alertmanager", "Probe"]],
    ["monitoring.coreos.com/v1alpha1", NAMESPACED, ["AlertmanagerConfig", "ScrapeConfig"]],
    ["cert-manager.io/v1", NAMESPACED, ["Certificate", "Issuer", "CertificateRequest"]],
    ["cert-manager.io/v1", CLUSTER, ["ClusterIssuer"]],
    ["gateway.networking.k8s.io/v1", NAMESPACED, ["Gateway", "HTTPRoute", "GRPCRoute"]],
    ["gateway.networking.k8s.io/v1", CLUSTER, ["GatewayClass"]],
    ["keda.sh/v1alpha1", NAMESPACED, ["ScaledObject", "ScaledJob", "TriggerAuthentication"]],
    ["external-secrets.io/v1", NAMESPACED, ["ExternalSecret", "SecretStore"]],
    ["external-secrets.io/v1", CLUSTER, ["ClusterSecretStore"]],
    ["external-secrets.io/v1beta1", NAMESPACED, ["ExternalSecret", "SecretStore"]],
    ["external-secrets.io/v1beta1", CLUSTER, ["ClusterSecretStore"]],
    ["elbv2.k8s.aws/v1beta1", NAMESPACED, ["TargetGroupBinding"]],
    ["elbv2.k8s.aws/v1beta1", CLUSTER, ["IngressClassParams"]],
    ["networking.gke.io/v1", NAMESPACED, ["ManagedCertificate", "GCPGatewayPolicy", "GCPBackendPolicy", "HealthCheckPolicy"]],
    ["networking.gke.io/v1beta1", NAMESPACED, ["FrontendConfig"]],
    ["cloud.google.com/v1", NAMESPACED, ["BackendConfig"]],
    ["karpenter.sh/v1", CLUSTER, ["NodePool", "NodeClaim"]],
    // Argo Rollouts: a Deployment in all but name; the workload policies inspect its pod template.
    ["argoproj.io/v1alpha1", NAMESPACED, ["Rollout", "AnalysisTemplate", "AnalysisRun", "Experiment"]],
    ["argoproj.io/v1alpha1", CLUSTER, ["ClusterAnalysisTemplate"]],
    ["karpenter.k8s.aws/v1", CLUSTER, ["EC2NodeClass"]],
    // GKE Managed Service for Prometheus. OperatorConfig is namespaced although GKE reads only
    // gmp-public/config. v1alpha1 is deprecated but still served.
    ["monitoring.googleapis.com/v1", NAMESPACED, ["PodMonitoring", "Rules", "OperatorConfig"]],
    ["monitoring.googleapis.com/v1", CLUSTER, ["ClusterPodMonitoring", "ClusterNodeMonitoring", "ClusterRules", "GlobalRules"]],
    ["monitoring.googleapis.com/v1alpha1", NAMESPACED, ["PodMonitoring", "Rules", "OperatorConfig"]],
    ["monitoring.googleapis.com/v1alpha1", CLUSTER, ["ClusterPodMonitoring", "ClusterRules", "GlobalRules"]],
];

function builtinKinds(): Map<string, KindInfo> {
    const kinds = new Map<string, KindInfo>();
    for (const [apiVersion, namespaced, names] of KNOWN) {
        for (const kind of names) kinds.set(`${apiVersion}/${kind}`, { namespaced });
    }
    return kinds;
}

/** `kubernetes:<group or core>/<version>:<Kind>`, as @pulumi/kubernetes names its types. */
export function typeToken(apiVersion: string, kind: string): string {
    const slash = apiVersion.indexOf("/");
    const group = slash === -1 ? "core" : apiVersion.slice(0, slash);
    const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
    return `kubernetes:${group}/${version}:${kind}`;
}

// ---------------------------------------------------------------------------------------
// Reading input

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface Located {
    object: Record<string, unknown>;
    /** `file, document N (line L)` or with `, item M` for List members. */
    where: string;
    /** Label of the cluster directory it came from; undefined for the top-level cluster. */
    cluster?: string;
}

/** A subdirectory directly below a directory named on the command line. */
interface ClusterDir {
    /** Absolute path: the same directory reached through two arguments is one cluster. */
    key: string;
    /** The path as the command line spells it, e.g. `out/prod/manifests/use1`. */
    shown: string;
}

interface InputFile {
    file: string;
    cluster?: ClusterDir;
}

interface Input {
    objects: Located[];
    plans: Array<{ file: string; resources: RunnerResource[] }>;
    files: number;
    /** Labels of the clusters the objects belong to; `undefined` is the top-level cluster. */
    clusters: Set<string | undefined>;
    errors: string[];
    notes: string[];
}

/** Caps on what the guard reads, so no input can exhaust memory (documented in README and docs). */
export const LIMITS = {
    /** One YAML file. Parsing takes roughly 30 times its size in memory. */
    yamlFileBytes: 8 * MiB,
    /** One plan.json. */
    planFileBytes: MAX_PLAN_FILE_BYTES,
    /**
     * All YAML files of one run together. At this cap (two 8 MiB files, 46,000 objects) a run
     * peaked at 612 MB of memory and took 5.4 minutes on a busy 2-core machine.
     */
    yamlTotalBytes: 16 * MiB,
    /** Everything read in one run together, plan.json files included. */
    totalBytes: 64 * MiB,
    /** Files read in one run. */
    files: 10_000,
} as const;

const INPUT_NAME = /\.(ya?ml|json)$/i;

function kindOfEntry(stat: fs.Stats): string {
    if (stat.isFIFO()) return "a FIFO";
    if (stat.isCharacterDevice()) return "a character device";
    if (stat.isBlockDevice()) return "a block device";
    if (stat.isSocket()) return "a socket";
    return "an unusual file";
}

/**
 * Every input file below the paths: directories are walked (symbolic links to directories
 * followed, a link back into a directory being walked is skipped), YAML and JSON files
 * taken, anything else that carries such a name but is not a regular file refused.
 */
function collectFiles(paths: readonly string[], oneCluster: boolean, errors: string[], notes: string[]): InputFile[] {
    const files: InputFile[] = [];
    const walk = (dir: string, cluster: ClusterDir | undefined, top: boolean, ancestors: ReadonlySet<string>) => {
        let real: string;
        let entries: fs.Dirent[];
        try {
            real = fs.realpathSync(dir);
            entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch (e) {
            errors.push(`${dir}: cannot be read (${e instanceof Error ? e.message : String(e)})`);
            return;
        }
        if (ancestors.has(real)) {
            notes.push(`${dir}: links back to ${real}, which is already being read; skipped`);
            return;
        }
        const inside = new Set(ancestors).add(real);
        for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
            if (files.length > LIMITS.files) return;
            const full = path.join(dir, entry.name);
            let stat: fs.Stats | undefined;
            if (entry.isSymbolicLink()) {
                try {
                    stat = fs.statSync(full);
                } catch {
                    if (INPUT_NAME.test(entry.name)) errors.push(`${full}: a symbolic link to nothing`);
                    continue;
                }
            }
            if (stat?.isDirectory() ?? entry.isDirectory()) {
                walk(full, top && !oneCluster ? { key: path.resolve(full), shown: path.normalize(full) } : cluster, false, inside);
            } else if (INPUT_NAME.test(entry.name)) {
                if (stat?.isFile() ?? entry.isFile()) files.push(cluster === undefined ? { file: full } : { file: full, cluster });
                else errors.push(`${full}: is ${kindOfEntry(stat ?? fs.lstatSync(full))}, not a regular file; remove it or rename it`);
            }
        }
    };
    for (const p of paths) {
        let stat: fs.Stats;
        try {
            stat = fs.statSync(p);
        } catch {
            errors.push(`${p}: no such file or directory`);
            continue;
        }
        if (stat.isDirectory()) {
            const hint = planFolderHint(p);
            if (hint !== undefined) errors.push(hint);
            else walk(p, undefined, true, new Set());
        } else files.push({ file: p });
    }
    if (files.length > LIMITS.files) {
        errors.push(
            `${paths.join(" ")}: more than ${LIMITS.files} input files; the cap is ${LIMITS.files} files per run, check fewer at a time`,
        );
        return [];
    }
    return files;
}

/** The offline plan's own folder (plan.json beside manifests/): point at what to check instead. */
function planFolderHint(dir: string): string | undefined {
    const isFile = (p: string) => fs.statSync(p, { throwIfNoEntry: false })?.isFile() === true;
    const isDir = (p: string) => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
    if (!isFile(path.join(dir, "plan.json")) || !isDir(path.join(dir, "manifests"))) return undefined;
    return (
        `${dir}: is an offline plan's folder; check its Kubernetes objects with \`npm run guard -- ${path.join(dir, "manifests")}\` ` +
        `(each cluster on its own) or its resources with \`npm run guard -- ${path.join(dir, "plan.json")}\``
    );
}

/**
 * A cluster directory is labelled by its name (`use1`), or by its path where two directories
 * share a name (`out/dev/manifests/use1`, `out/prod/manifests/use1`).
 */
function clusterLabels(files: readonly InputFile[]): Map<string, string> {
    const byName = new Map<string, Set<string>>();
    for (const { cluster } of files) {
        if (cluster === undefined) continue;
        const name = path.basename(cluster.key);
        byName.set(name, (byName.get(name) ?? new Set()).add(cluster.key));
    }
    const labels = new Map<string, string>();
    for (const { cluster } of files) {
        if (cluster === undefined || labels.has(cluster.key)) continue;
        const name = path.basename(cluster.key);
        labels.set(cluster.key, (byName.get(name)?.size ?? 0) > 1 ? cluster.shown : name);
    }
    return labels;
}

function asPlan(text: string): unknown[] | undefined {
    if (!text.trimStart().startsWith("{")) return undefined;
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        return undefined;
    }
    return isRecord(parsed) && Array.isArray(parsed.resources) && !("kind" in parsed) ? parsed.resources : undefined;
}

function planResources(file: string, entries: unknown[], errors: string[]): RunnerResource[] {
    const resources: RunnerResource[] = [];
    entries.forEach((entry, index) => {
        const where = `${file}: resources[${index}]`;
        if (!isRecord(entry) || typeof entry.urn !== "string" || typeof entry.type !== "string" || typeof entry.name !== "string") {
            errors.push(`${where}: needs string urn, type and name`);
            return;
        }
        if (entry.inputs !== undefined && !isRecord(entry.inputs)) {
            errors.push(`${where} (${entry.urn}): inputs must be an object`);
            return;
        }
        const opts = isRecord(entry.opts) ? entry.opts : {};
        const resource: RunnerResource = {
            urn: entry.urn,
            type: entry.type,
            name: entry.name,
            custom: entry.custom !== false,
            inputs: isRecord(entry.inputs) ? entry.inputs : {},
            opts: {
                ...(typeof opts.protect === "boolean" ? { protect: opts.protect } : {}),
                ...(typeof opts.retainOnDelete === "boolean" ? { retainOnDelete: opts.retainOnDelete } : {}),
                ...(typeof opts.deleteBeforeReplace === "boolean" ? { deleteBeforeReplace: opts.deleteBeforeReplace } : {}),
                ...(Array.isArray(opts.dependsOn) ? { dependsOn: opts.dependsOn.filter((d): d is string => typeof d === "string") } : {}),
                ...(Array.isArray(opts.ignoreChanges)
                    ? { ignoreChanges: opts.ignoreChanges.filter((d): d is string => typeof d === "string") }
                    : {}),
            },
            ...(typeof entry.parent === "string" ? { parent: entry.parent } : {}),
            ...(typeof entry.provider === "string" ? { provider: entry.provider } : {}),
        };
        if (isRecord(entry.propertyDependencies)) {
            const dependencies: Record<string, string[]> = {};
            for (const [key, urns] of Object.entries(entry.propertyDependencies)) {
                if (Array.isArray(urns)) dependencies[key] = urns.filter((u): u is string => typeof u === "string");
            }
            resource.propertyDependencies = dependencies;
        }
        resources.push(resource);
    });
    return resources;
}

/**
 * YAML as kubectl and Helm read it (sigs.k8s.io/yaml over go-yaml v2): YAML 1.1 scalars
 * (`yes`, `on`, `Y` are booleans, `0777` is octal), `<<` merge keys with explicit keys
 * winning, and timestamps and `1:30`-style sexagesimals left as the strings go-yaml hands to
 * an untyped value. A key twice in one mapping is refused, as `kubectl --validate=strict`
 * (the default) refuses duplicate fields, rather than guessing which one a tool keeps.
 */
function kubectlYaml(lineCounter: LineCounter): ParseOptions & DocumentOptions & SchemaOptions {
    return {
        lineCounter,
        version: "1.1",
        merge: true,
        uniqueKeys: true,
        customTags: (tags) =>
            tags.filter((tag) => typeof tag === "string" || (tag.tag !== "tag:yaml.org,2002:timestamp" && tag.format !== "TIME")),
    };
}

function readYaml(file: string, cluster: string | undefined, text: string, input: Input): void {
    const lineCounter = new LineCounter();

    const documents = parseAllDocuments(text, kubectlYaml(lineCounter));
    let found = 0;
    documents.forEach((document, index) => {
        const start = document.contents?.range[0] ?? document.range[0];
        const where = `${file}: document ${index + 1} (line ${lineCounter.linePos(start).line})`;
        if (document.errors.length > 0) {
            for (const error of document.errors) {
                const position = error.linePos?.[0];
                const at = position ? `line ${position.line}, column ${position.col}` : "unknown position";
                // The library appends the position and a source excerpt; the position is given above.
                const reason = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
                input.errors.push(`${file}: document ${index + 1}: malformed YAML at ${at}: ${reason}`);
            }
            return;
        }
        let value: unknown;
        try {
            value = document.toJS({ maxAliasCount: 1000 });
        } catch (e) {
            input.errors.push(`${where}: cannot be read: ${e instanceof Error ? e.message : String(e)}`);
            return;
        }
        if (value === null || value === undefined) return;
        if (!isRecord(value)) {
            input.errors.push(`${where}: is not a Kubernetes object (a YAML mapping)`);
            return;
        }
        found += 1;
        const kind = typeof value.kind === "string" ? value.kind : "";
        if ((kind === "List" || kind.endsWith("List")) && Array.isArray(value.items)) {
            // kubectl's typed lists (`DeploymentList`) may leave kind and apiVersion off items.
            const itemKind = kind === "List" ? undefined : kind.slice(0, -"List".length);
            value.items.forEach((item, itemIndex) => {
                const itemWhere = `${where}, item ${itemIndex + 1}`;
                if (!isRecord(item)) {
                    input.errors.push(`${itemWhere}: is not a Kubernetes object`);
                    return;
                }
                const object = itemKind === undefined ? item : { apiVersion: value.apiVersion, kind: itemKind, ...item };
                input.objects.push({ object, where: itemWhere, cluster });
            });
            return;
        }
        input.objects.push({ object: value, where, cluster });
    });
    if (found === 0 && input.errors.every((e) => !e.startsWith(`${file}:`))) {
        input.notes.push(`${file}: contains no Kubernetes objects`);
    }
}

function readInput(paths: readonly string[], oneCluster: boolean): Input {
    const input: Input = { objects: [], plans: [], files: 0, clusters: new Set(), errors: [], notes: [] };
    const files = collectFiles(paths, oneCluster, input.errors, input.notes);
    const labels = clusterLabels(files);
    input.files = files.length;
    let total = 0;
    let yamlTotal = 0;
    for (const { file, cluster: dir } of files) {
        const read = readBoundedFile(file, Math.max(LIMITS.planFileBytes, LIMITS.yamlFileBytes));
        if (!read.ok) {
            input.errors.push(`${file}: ${read.problem}`);
            continue;
        }
        const { text } = read;
        total += Buffer.byteLength(text);
        if (total > LIMITS.totalBytes) {
            input.errors.push(
                `${file}: the input files together pass ${formatBytes(LIMITS.totalBytes)}, the cap per run; check fewer at a time`,
            );
            break;
        }
        const plan = asPlan(text);
        if (plan !== undefined) {
            input.plans.push({ file, resources: planResources(file, plan, input.errors) });
            continue;
        }
        yamlTotal += Buffer.byteLength(text);
        if (yamlTotal > LIMITS.yamlTotalBytes) {
            input.errors.push(
                `${file}: the YAML files together pass ${formatBytes(LIMITS.yamlTotalBytes)}, the cap per run; check fewer at a time`,
            );
            break;
        }
        if (Buffer.byteLength(text) > LIMITS.yamlFileBytes) {
            input.errors.push(
                `${file}: is ${Buffer.byteLength(text)} bytes of YAML; the cap for one YAML file is ${formatBytes(LIMITS.yamlFileBytes)}, split it`,
            );
            continue;
        }
        const cluster = dir === undefined ? undefined : labels.get(dir.key);
        const before = input.objects.length;
        readYaml(file, cluster, text, input);
        if (input.objects.length > before) input.clusters.add(cluster);
    }
    return input;
}

/** CRDs present in the input make their kinds known, at every version they serve. */
function declaredKinds(objects: readonly Located[], kinds: Map<string, KindInfo>): void {
    for (const { object } of objects) {
        if (object.apiVersion !== "apiextensions.k8s.io/v1" || object.kind !== "CustomResourceDefinition") continue;
        const spec = isRecord(object.spec) ? object.spec : {};
        const names = isRecord(spec.names) ? spec.names : {};
        if (typeof spec.group !== "string" || typeof names.kind !== "string" || !Array.isArray(spec.versions)) continue;
        for (const version of spec.versions) {
            if (isRecord(version) && typeof version.name === "string") {
                kinds.set(`${spec.group}/${version.name}/${names.kind}`, { namespaced: spec.scope !== "Cluster" });
            }
        }
    }
}

const URN_PREFIX = "urn:pulumi:guard::manifests::";

/** The synthetic Kubernetes provider that stands for one cluster directory. */
export function clusterProviderUrn(cluster: string): string {
    return `${URN_PREFIX}pulumi:providers:kubernetes::${cluster}`;
}

function manifestResources(
    objects: readonly Located[],
    defaultNamespace: string,
    errors: string[],
): { resources: RunnerResource[]; where: Map<string, string> } {
    const kinds = builtinKinds();
    declaredKinds(objects, kinds);
    const resources: RunnerResource[] = [];
    const where = new Map<string, string>();

    for (const { object, where: location, cluster } of objects) {
        const apiVersion = object.apiVersion;
        const kind = object.kind;
        if (typeof apiVersion !== "string" || apiVersion === "" || typeof kind !== "string" || kind === "") {
            errors.push(`${location}: has no apiVersion and kind`);
            continue;
        }
        const info = kinds.get(`${apiVersion}/${kind}`);
        if (info === undefined) {
            const servedAt = [...kinds.keys()].filter((k) => k.endsWith(`/${kind}`)).map((k) => k.slice(0, -kind.length - 1));
            errors.push(
                servedAt.length > 0
                    ? `${location}: ${kind} is not known at apiVersion "${apiVersion}" (known: ${servedAt.join(", ")})`
                    : `${location}: unknown kind "${kind}" (apiVersion "${apiVersion}"); add its CustomResourceDefinition to the input to accept it`,
            );
            continue;
        }
        const metadata = object.metadata;
        const name = isRecord(metadata) ? metadata.name : undefined;
        if (!isRecord(metadata) || typeof name !== "string" || name === "") {
            errors.push(`${location}: ${kind} has no metadata.name`);
            continue;
        }
        let namespace: string | undefined;
        if (info.namespaced) {
            namespace = typeof metadata.namespace === "string" && metadata.namespace !== "" ? metadata.namespace : defaultNamespace;
            // Filled in as `kubectl apply -n` would, so namespace-scoped policies see it.
            object.metadata = { ...metadata, namespace };
        }
        const type = typeToken(apiVersion, kind);
        const id = namespace === undefined ? name : `${namespace}/${name}`;
        // Object names never contain ":", so the cluster prefix keeps URNs apart across clusters.
        const resourceName = cluster === undefined ? id : `${cluster}:${id}`;
        const urn = `${URN_PREFIX}${type}::${resourceName}`;
        const earlier = where.get(urn);
        if (earlier !== undefined) {
            const inCluster = cluster === undefined ? "" : ` in cluster ${cluster}`;
            errors.push(`${location}: ${kind} ${id} is defined twice${inCluster} (first at ${earlier})`);
            continue;
        }
        where.set(urn, location);
        const resource: RunnerResource = { urn, type, name: resourceName, custom: true, inputs: object, opts: {} };
        // Stack policies tell clusters apart by Kubernetes provider, as they do in a real stack.
        if (cluster !== undefined) resource.provider = clusterProviderUrn(cluster);
        resources.push(resource);
    }
    return { resources, where };
}

// ---------------------------------------------------------------------------------------
// Running

interface Options {
    json?: boolean;
    stack?: string;
    policyConfig?: string;
    namespace: string;
    oneCluster?: boolean;
}

/** A stack name as `pulumi stack init` takes it, without an org or project prefix. */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

function stacksWithConfig(): string[] {
    const dir = path.dirname(stackPolicyConfigPath("dev"));
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.slice(0, -".json".length))
        .sort((a, b) => a.localeCompare(b));
}

function policyConfig(options: Options): Record<string, unknown> | undefined {
    if (options.stack !== undefined && options.policyConfig !== undefined) {
        throw new PolicyConfigError(["use either --stack or --policy-config, not both"]);
    }
    if (options.stack !== undefined) {
        const stacks = stacksWithConfig();
        // Only a name: the file is always the pack's own policy/config/<name>.json.
        if (!STACK_NAME.test(options.stack) || options.stack.includes("..")) {
            throw new PolicyConfigError([
                `--stack ${JSON.stringify(options.stack.slice(0, 100))} is not a stack name (letters, digits, "-", "_", "."); ` +
                    `stacks with a policy config: ${stacks.join(", ")}; for another file use --policy-config FILE`,
            ]);
        }
        if (!stacks.includes(options.stack)) {
            throw new PolicyConfigError([
                `no policy config for stack "${options.stack}" (policy/config/${options.stack}.json); stacks with one: ${stacks.join(", ")}`,
            ]);
        }
        return loadPolicyConfig(stackPolicyConfigPath(options.stack));
    }
    return options.policyConfig === undefined ? undefined : loadPolicyConfig(options.policyConfig);
}

function merge(reports: readonly PolicyReport[], policies: number): PolicyReport {
    return {
        policies,
        resources: reports.reduce((n, r) => n + r.resources, 0),
        violations: reports.flatMap((r) => r.violations),
    };
}

function formatViolation(violation: PolicyViolation, where: ReadonlyMap<string, string>): string {
    const location = violation.urn === undefined ? "stack" : (where.get(violation.urn) ?? violation.urn);
    return `${violation.level.toUpperCase().padEnd(9)} ${violation.policy}  [${location}]\n          ${violation.message}\n`;
}

/** ` in 4 clusters (edge-muc, euw1, usc1, use1)`, or nothing when the input is one cluster. */
function clusterSummary(clusters: ReadonlySet<string | undefined>): string {
    if (clusters.size < 2) return "";
    const names = [...clusters].map((c) => c ?? "top level").sort((a, b) => a.localeCompare(b));
    return ` in ${clusters.size} clusters (${names.join(", ")})`;
}

/** A namespace name as the API server takes it (RFC 1123 label). */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A --policy-pack-config file is a few KiB; anything near this is not one. */
const POLICY_CONFIG_BYTES = 1 * MiB;

/** Problems with the flags themselves, found before any input is read. */
function optionProblems(options: Options): string[] {
    const problems: string[] = [];
    if (!NAMESPACE.test(options.namespace)) {
        problems.push(
            `--namespace ${JSON.stringify(options.namespace.slice(0, 100))} is not a namespace name (lower-case letters, digits and "-", at most 63)`,
        );
    }
    if (options.policyConfig !== undefined) {
        const read = readBoundedFile(options.policyConfig, POLICY_CONFIG_BYTES);
        if (!read.ok) problems.push(`--policy-config ${options.policyConfig}: ${read.problem}`);
    }
    return problems;
}

async function run(paths: readonly string[], options: Options, io: GuardOutput): Promise<number> {
    let config: Record<string, unknown> | undefined;
    try {
        const problems = optionProblems(options);
        if (problems.length > 0) throw new PolicyConfigError(problems);
        config = policyConfig(options);
    } catch (e) {
        if (e instanceof PolicyConfigError) {
            for (const problem of e.problems) io.err(`guard: ${problem.startsWith("--") ? "" : "policy config: "}${problem}\n`);
            return EXIT.badInput;
        }
        throw e;
    }
    const input = readInput(paths, options.oneCluster === true);
    const { resources, where } = manifestResources(input.objects, options.namespace, input.errors);
    for (const note of input.notes) io.err(`guard: note: ${note}\n`);
    if (input.errors.length === 0 && resources.length === 0 && input.plans.length === 0) {
        input.errors.push(
            input.files === 0
                ? `no YAML or plan.json file found in ${paths.join(" ")}; nothing was checked`
                : `no Kubernetes object found in ${input.files} file(s); nothing was checked`,
        );
    }
    if (input.errors.length > 0) {
        for (const error of input.errors) io.err(`guard: ${error}\n`);
        io.err(`guard: ${input.errors.length} input problem(s); no policy verdict given.\n`);
        return EXIT.badInput;
    }

    let report: PolicyReport;
    try {
        const sets = [...(resources.length > 0 || input.plans.length === 0 ? [resources] : []), ...input.plans.map((p) => p.resources)];
        // Each plan is its own stack; the manifests together form one more.
        const reports = [];
        for (const set of sets) reports.push(await evaluatePolicies(set, { config }));
        report = merge(reports, reports[0]?.policies ?? 0);
    } catch (e) {
        if (e instanceof PolicyConfigError) {
            for (const problem of e.problems) io.err(`guard: policy config: ${problem}\n`);
            return EXIT.badInput;
        }
        if (e instanceof PolicyRuntimeError) {
            io.err(`guard: ${e.message}\n`);
            return EXIT.badInput;
        }
        throw e;
    }

    if (options.json) {
        io.out(`${JSON.stringify(report, null, 2)}\n`);
    } else {
        for (const violation of report.violations) io.out(formatViolation(violation, where));
        const mandatory = report.violations.filter((v) => v.level === "mandatory").length;
        io.out(
            `guard: ${report.resources} resource(s) from ${input.files} file(s)${clusterSummary(input.clusters)}, ${report.policies} policies: ` +
                `${mandatory} mandatory, ${report.violations.length - mandatory} advisory violation(s).\n`,
        );
    }
    return hasMandatoryViolation(report) ? EXIT.mandatoryViolation : EXIT.clean;
}

const CLUSTERS_HELP = `
Clusters:
  Each subdirectory directly below a directory on the command line is read as one cluster,
  with everything beneath it: the offline plan writes out/<stack>/manifests/<cluster>/, so
  \`guard out/prod/manifests\` checks use1, euw1, ... each on its own. Files named directly,
  and files lying directly in a named directory, together form one more ("top level").
  An object may be defined once per cluster; stack policies that group by cluster (namespace
  ResourceQuota and LimitRange, PodDisruptionBudgets) see each cluster separately.
  --one-cluster reads everything as a single cluster (e.g. a rendered Helm chart whose
  subcharts sit in charts/<name>/).
`;

/** The command line, minus `node guard.ts`. Resolves to the exit code. */
export async function main(argv: readonly string[], io: GuardOutput = processOutput): Promise<number> {
    const program = new Command()
        .name("guard")
        .description("Check Kubernetes YAML or a plan.json against the modelfleet policy pack.")
        .argument("<paths...>", "YAML files, directories of them, or plan.json files")
        .option("--json", "print the report as JSON (the policy-report.json shape)")
        .option("--stack <name>", "use policy/config/<name>.json")
        .option("--policy-config <file>", "use this --policy-pack-config file")
        .option("-n, --namespace <namespace>", "namespace for objects that name none", "default")
        .option("--one-cluster", "read all input as one cluster, whatever the directory layout")
        .addHelpText("after", CLUSTERS_HELP)
        .exitOverride()
        .configureOutput({ writeOut: io.out, writeErr: io.err });
    try {
        program.parse([...argv], { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.clean : EXIT.badInput;
        throw e;
    }
    try {
        return await run(program.args, program.opts<Options>(), io);
    } catch (e) {
        // A bug must still end in one readable line, not a stack trace.
        const message = e instanceof Error ? e.message : String(e);
        io.err(`guard: unexpected error: ${message.split("\n")[0]}\n`);
        return EXIT.badInput;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`guard: unexpected error: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}\n`);
            process.exitCode = EXIT.badInput;
        },
    );
}
