import { defaults } from "../../config/defaults";
import type { DeploymentEntry, GpuPoolEntry, RegionInventory } from "./inventory";

/**
 * The commands an operator runs to debug one region. They are only printed: building
 * them needs nothing but the plan, so the tool works without cluster access.
 */

export interface DebugCommand {
    /** What the command shows, or what to look for in its output. */
    purpose: string;
    command: string;
}

export type CommandGroupName = "setup" | "connectivity" | "model loading" | "inference" | "gpu" | "events";

export interface CommandGroup {
    group: CommandGroupName;
    commands: DebugCommand[];
    /** Why the group is shorter than expected (e.g. the plan has no TorchServe Deployment). */
    notes: string[];
}

/** How the printed kubectl commands reach the clusters. */
export interface KubeAccess {
    /** The kubeconfig given with --kubeconfig; named in every command. Unset when kubectl finds it itself. */
    explicitPath?: string;
    /** Context names the available kubeconfig files hold. */
    contexts: Set<string>;
}

export interface CommandContext {
    stack: string;
    /** serving.domain: regions answer at <region>.<domain>. */
    domain: string;
    /** serving.namespace, used when the plan has no workloads for a region. */
    namespace: string;
    /** serving.activeColor: per-model checks go to this track's Deployment. */
    activeColor: string;
    access: KubeAccess;
}

/** The kubectl context every region's commands use: `modelfleet-<stack>-<region>`. */
export function contextName(stack: string, region: string): string {
    return `modelfleet-${stack}-${region}`;
}

export function regionCommands(region: RegionInventory, ctx: CommandContext): CommandGroup[] {
    const context = contextName(ctx.stack, region.name);
    const hasContext = ctx.access.contexts.has(context);
    const kubeconfigFlag = ctx.access.explicitPath !== undefined ? ` --kubeconfig ${shellQuote(ctx.access.explicitPath)}` : "";
    // An edge cluster's kubeconfig lives in secret config; without a context for it, kubectl reads it from its own file.
    const edgeFile = `${context}.kubeconfig`;
    const k =
        region.cloud === "existing" && !hasContext ? `kubectl --kubeconfig ${edgeFile}` : `kubectl${kubeconfigFlag} --context ${context}`;

    const torchserve = region.deployments.filter((d) => d.role === "torchserve");
    // The serving namespace; controllers in kube-system have their own runbooks.
    const namespaces = unique(region.deployments.filter((d) => d.role !== "other").map((d) => d.namespace));
    if (namespaces.length === 0) namespaces.push(ctx.namespace);
    const groups: CommandGroup[] = [];

    if (!hasContext) groups.push(setupGroup(region, ctx, context, kubeconfigFlag, edgeFile));

    const connectivity: DebugCommand[] = [{ purpose: "the API server answers", command: `${k} cluster-info` }];
    for (const pool of region.gpuPools) {
        connectivity.push({
            purpose: `nodes of GPU pool ${pool.name}, with instance type and zone`,
            command: `${k} get nodes${selectorFlag(pool)} -L node.kubernetes.io/instance-type,topology.kubernetes.io/zone`,
        });
    }
    for (const ns of namespaces) {
        connectivity.push({ purpose: `pods in ${ns}, with node and restarts`, command: `${k} get pods -n ${ns} -o wide` });
        connectivity.push({
            purpose: `workloads, services, ingress and autoscalers in ${ns}`,
            command: `${k} get deployments,services,ingresses,hpa -n ${ns}`,
        });
    }
    groups.push({ group: "connectivity", commands: connectivity, notes: [] });

    const loading: DebugCommand[] = [];
    // Per-model detail for the track taking traffic; every track when none is recognisable by name.
    const active = torchserve.some((d) => d.name.endsWith(`-${ctx.activeColor}`))
        ? torchserve.filter((d) => d.name.endsWith(`-${ctx.activeColor}`))
        : torchserve;
    for (const d of torchserve) {
        const c = servingContainer(d);
        const exec = `${k} exec -n ${d.namespace} deploy/${d.name} -c ${c.name} --`;
        const management = `http://127.0.0.1:${c.ports["management"] ?? defaults.serving.torchserve.ports.management}`;
        loading.push({ purpose: `models registered in ${d.name}`, command: `${exec} ${inPodGet(`${management}/models`)}` });
        for (const model of active.includes(d) ? region.models : []) {
            loading.push({
                purpose: `workers of ${model} in ${d.name} (status READY, not UNLOADING or absent)`,
                command: `${exec} ${inPodGet(`${management}/models/${model}`)}`,
            });
        }
        for (const init of d.initContainers) {
            loading.push({
                purpose: `model sync log of ${d.name} (init container ${init.name})`,
                command: `${k} logs -n ${d.namespace} deploy/${d.name} -c ${init.name}`,
            });
        }
        loading.push({
            purpose: `TorchServe log of ${d.name}`,
            command: `${k} logs -n ${d.namespace} deploy/${d.name} -c ${c.name} --tail=200`,
        });
    }
    groups.push({
        group: "model loading",
        commands: loading,
        notes: torchserve.length === 0 ? ["the plan has no TorchServe Deployment in this region"] : [],
    });

    const host = regionalHost(region, ctx.domain);
    const inference: DebugCommand[] = [
        { purpose: "TorchServe health through the regional endpoint", command: `curl -sS https://${host}/ping` },
        { purpose: "TensorZero gateway health through the regional endpoint", command: `curl -sS https://${host}/health` },
    ];
    for (const model of region.models) {
        inference.push({
            purpose: `a prediction from ${model} (INPUT_FILE: a sample request body)`,
            command: `curl -sS -T "$INPUT_FILE" https://${host}/predictions/${model}`,
        });
    }
    for (const d of torchserve) {
        const c = servingContainer(d);
        const port = c.ports["http"] ?? c.ports["inference"] ?? defaults.serving.torchserve.ports.inference;
        inference.push({
            purpose: `TorchServe inside ${d.name}, bypassing ingress and Services`,
            command: `${k} exec -n ${d.namespace} deploy/${d.name} -c ${c.name} -- ${inPodGet(`http://127.0.0.1:${port}/ping`)}`,
        });
    }
    groups.push({ group: "inference", commands: inference, notes: [] });

    const gpu: DebugCommand[] = [];
    for (const pool of region.gpuPools) {
        gpu.push({
            purpose: `GPUs each node of ${pool.name} advertises (empty: the device plugin is not running there)`,
            command: `${k} get nodes${selectorFlag(pool)} -o 'custom-columns=NAME:.metadata.name,GPUS:.status.allocatable.nvidia\\.com/gpu'`,
        });
        gpu.push({
            purpose: `capacity, allocatable, taints and conditions of ${pool.name}'s nodes`,
            command: `${k} describe nodes${selectorFlag(pool)}`,
        });
    }
    for (const ds of region.daemonSets.filter((d) => d.images.some((i) => i.includes("device-plugin")))) {
        gpu.push({
            purpose: "the NVIDIA device plugin runs on every GPU node",
            command: `${k} get daemonset -n ${ds.namespace} ${ds.name} -o wide`,
        });
    }
    for (const d of torchserve) {
        gpu.push({
            purpose: `the GPU as ${d.name} sees it`,
            command: `${k} exec -n ${d.namespace} deploy/${d.name} -c ${servingContainer(d).name} -- nvidia-smi`,
        });
    }
    groups.push({ group: "gpu", commands: gpu, notes: [] });

    const events: DebugCommand[] = [];
    for (const ns of namespaces) {
        events.push({
            purpose: `warnings in ${ns} (FailedScheduling, BackOff, OOMKilling, FailedMount)`,
            command: `${k} get events -n ${ns} --field-selector type=Warning --sort-by=.lastTimestamp`,
        });
    }
    groups.push({ group: "events", commands: events, notes: [] });
    return groups;
}

function setupGroup(region: RegionInventory, ctx: CommandContext, context: string, kubeconfigFlag: string, edgeFile: string): CommandGroup {
    const commands: DebugCommand[] = [];
    const notes = [`context ${context} is not in the kubeconfig; these commands create it`];
    const clusterName = region.clusters[0]?.name;
    const nameRef = clusterName ?? "$CLUSTER";
    if (clusterName === undefined && region.cloud !== "existing") {
        commands.push({
            purpose: `the cluster's name, from the stack output clusterNames`,
            command: `CLUSTER=$(pulumi stack output clusterNames --stack ${ctx.stack} --json | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8"))["${region.name}"]')`,
        });
    }
    if (region.cloud === "aws") {
        commands.push({
            purpose: `adds context ${context} (a token from aws eks get-token, as your AWS identity)`,
            command: `aws eks update-kubeconfig --region ${region.location} --name ${quoteRef(nameRef)} --alias ${context}${kubeconfigFlag}`,
        });
    } else if (region.cloud === "gcp") {
        const env = ctx.access.explicitPath !== undefined ? `KUBECONFIG=${shellQuote(ctx.access.explicitPath)} ` : "";
        commands.push({
            purpose: "adds the cluster's context under the name gcloud gives it",
            command: `${env}gcloud container clusters get-credentials ${quoteRef(nameRef)} --region ${region.location} --project ${region.project ?? "$PROJECT"}`,
        });
        commands.push({
            purpose: `renames it to ${context}`,
            command: `kubectl${kubeconfigFlag} config rename-context ${quoteRef(`gke_${region.project ?? "$PROJECT"}_${region.location}_${nameRef}`)} ${context}`,
        });
    } else {
        notes.push(`${edgeFile} holds the cluster's credentials: keep it private and delete it afterwards`);
        commands.push({
            purpose: `writes the kubeconfig kept in secret config to ${edgeFile}`,
            command: `(umask 077; pulumi config get --path 'kubeconfigs.${region.name}' --stack ${ctx.stack} > ${edgeFile})`,
        });
    }
    return { group: "setup", commands, notes };
}

/** The host the region's ingress answers at: the ingress rule for `<region>.<domain>`, else the first one. */
export function regionalHost(region: RegionInventory, domain: string): string {
    const expected = `${region.name}.${domain}`;
    const hosts = region.ingresses.flatMap((i) => i.hosts);
    return hosts.find((h) => h === expected) ?? hosts[0] ?? expected;
}

/**
 * An HTTP GET from inside the TorchServe container. Its image has Python (TorchServe runs
 * on it) but no curl; the management API listens on 127.0.0.1 only, so it is reached from
 * inside the pod or through `kubectl port-forward`.
 */
function inPodGet(url: string): string {
    return `python -c 'import urllib.request as r; print(r.urlopen("${url}", timeout=10).read().decode())'`;
}

function servingContainer(d: DeploymentEntry) {
    return d.containers.find((c) => c.gpus !== undefined) ?? d.containers.find((c) => c.name === "torchserve") ?? d.containers[0];
}

function selectorFlag(pool: GpuPoolEntry): string {
    const pairs = Object.entries(pool.nodeSelector).map(([key, value]) => `${key}=${value}`);
    return pairs.length > 0 ? ` -l ${shellQuote(pairs.join(","))}` : "";
}

/** Double quotes around text with a shell variable, so the variable still expands. */
function quoteRef(text: string): string {
    return text.includes("$") ? `"${text}"` : shellQuote(text);
}

export function shellQuote(text: string): string {
    return /^[A-Za-z0-9_./:=,@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function unique(values: string[]): string[] {
    return [...new Set(values)];
}
