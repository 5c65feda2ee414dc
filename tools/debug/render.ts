import type { CommandGroup } from "./commands";
import type { DeploymentEntry, GpuPoolEntry, RegionInventory } from "./inventory";
import type { KubeconfigSource } from "./kubeconfig";

export interface DebugReport {
    stack: string;
    /** Always true: nothing here comes from a cloud or a cluster. */
    offline: true;
    configFile: string;
    plan: { file: string; resources: number; mandatoryViolations?: number };
    kubeconfig: { origin: KubeconfigSource["origin"]; files: string[]; contexts: string[] } | null;
    regions: Array<RegionInventory & { commands: CommandGroup[] }>;
}

const CLOUD_LABEL: Record<string, string> = { "aws:eks/cluster:Cluster": "EKS", "gcp:container/cluster:Cluster": "GKE" };

export function renderText(report: DebugReport): string {
    const out: string[] = [];
    out.push(
        `modelfleet debug of stack '${report.stack}' (offline: from the stack config and the offline plan; no cloud or cluster was contacted, and commands are printed, never run)`,
    );
    out.push(`config      ${report.configFile}: valid`);
    const violations = report.plan.mandatoryViolations;
    out.push(
        `plan        ${report.plan.file}: ${report.plan.resources} resources${violations ? `, ${violations} mandatory policy violation(s) (see policy-report.json)` : ""}`,
    );
    if (report.kubeconfig) {
        out.push(
            `kubeconfig  ${report.kubeconfig.files.join(", ")} (${report.kubeconfig.origin}): ${report.kubeconfig.contexts.length} context(s)`,
        );
    } else {
        out.push(
            "kubeconfig  none (no --kubeconfig, KUBECONFIG or ~/.kube/config): kubectl commands left out; give --kubeconfig PATH to print them",
        );
    }

    for (const region of report.regions) {
        out.push("");
        out.push(`== ${region.name} (${region.cloud} ${region.location}${region.project ? `, project ${region.project}` : ""}) ==`);
        out.push(`models      ${region.models.join(", ")}`);
        if (region.cloud === "existing") out.push("cluster     existing cluster (not managed by this program)");
        for (const c of region.clusters)
            out.push(
                `cluster     ${c.name ?? "(name assigned at deploy)"} (${CLOUD_LABEL[c.type] ?? c.type}${c.version ? `, Kubernetes ${c.version}` : ""})`,
            );
        if (region.cloud !== "existing" && region.clusters.length === 0) out.push("cluster     (none in the plan)");

        section(out, "GPU pools", region.gpuPools.map(poolLine));
        if (region.poolsNotInPlan.length > 0) out.push(`  configured but not in the plan: ${region.poolsNotInPlan.join(", ")}`);
        section(out, "Deployments", region.deployments.map(deploymentLine));
        section(
            out,
            "DaemonSets",
            region.daemonSets.map((d) => `${d.namespace}/${d.name}  ${d.images.join(", ")}`),
        );
        section(
            out,
            "Services",
            region.services.map(
                (s) => `${s.namespace}/${s.name}  ${s.type}  ${s.ports.join(" ")}  selector ${pairs(s.selector) || "(none)"}`,
            ),
        );
        section(
            out,
            "Ingress hosts",
            region.ingresses.map(
                (i) => `${i.namespace}/${i.name}${i.className ? ` (${i.className})` : ""}  ${i.hosts.join(", ") || "(no host)"}`,
            ),
        );

        if (region.commands.length > 0) {
            out.push("");
            out.push(`commands for ${region.name} (printed, not run):`);
            for (const g of region.commands) {
                if (g.commands.length === 0 && g.notes.length === 0) continue;
                out.push(`  # ${g.group}`);
                for (const n of g.notes) out.push(`  #   ${n}`);
                for (const c of g.commands) {
                    out.push(`  #   ${c.purpose}`);
                    out.push(`  ${c.command}`);
                }
            }
        }
    }
    return out.join("\n");
}

function section(out: string[], title: string, lines: string[]): void {
    out.push(`${title}${lines.length === 0 ? ": none in the plan" : ""}`);
    for (const l of lines) out.push(`  ${l}`);
}

function poolLine(p: GpuPoolEntry): string {
    const parts = [p.name];
    if (p.instanceTypes.length > 0) parts.push(p.instanceTypes.join(","));
    if (p.accelerators) parts.push(p.accelerators);
    if (p.capacity) parts.push(p.capacity);
    const size: string[] = [];
    if (p.minNodes !== undefined) size.push(`min ${p.minNodes}`);
    if (p.maxNodes !== undefined) size.push(`max ${p.maxNodes}`);
    if (p.desiredNodes !== undefined) size.push(`initial ${p.desiredNodes}`);
    if (size.length > 0) parts.push(`nodes ${size.join(" ")}${p.sizeScope === "per zone" ? " per zone" : ""}`);
    if (Object.keys(p.nodeSelector).length > 0) parts.push(`selector ${pairs(p.nodeSelector)}`);
    if (p.source === "config") parts.push("(declared in config)");
    return parts.join("  ");
}

function deploymentLine(d: DeploymentEntry): string {
    const replicas = d.autoscale ? `replicas ${d.autoscale.min ?? "?"}-${d.autoscale.max ?? "?"} (HPA)` : `replicas ${d.replicas ?? 1}`;
    const containers = d.containers.map((c) => `${c.name}=${c.image}${c.gpus ? ` (${c.gpus} GPU)` : ""}`).join(" ");
    const init = d.initContainers.length > 0 ? `  init ${d.initContainers.map((c) => `${c.name}=${c.image}`).join(" ")}` : "";
    return `${d.namespace}/${d.name}  ${replicas}  ${containers}${init}`;
}

function pairs(labels: Record<string, string>): string {
    return Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
}
