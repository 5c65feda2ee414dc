/**
 * One timed run for the bench: either the offline plan of a stack file, or only loading
 * the three provider SDKs (the floor). Prints one JSON line: wall time, CPU time (user +
 * system, which a busy machine disturbs far less than wall time) and peak RSS.
 */
const started = process.hrtime.bigint();
const mode = process.argv[2];

async function run(): Promise<number> {
    if (mode === "floor") {
        require("@pulumi/aws");
        require("@pulumi/gcp");
        require("@pulumi/kubernetes");
        return 0;
    }
    const { main } = await import("../plan");
    const quiet = { stdout: () => undefined, stderr: (l: string) => console.error(l) };
    return main(["--config-file", process.argv[3], "--out", process.argv[4]], quiet);
}

run().then(
    (code) => {
        const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
        const usage = process.resourceUsage();
        // userCPUTime and systemCPUTime are in microseconds, maxRSS in KiB.
        const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
        console.log(JSON.stringify({ code, wallMs, cpuMs, peakRssMiB: usage.maxRSS / 1024 }));
        process.exit(0);
    },
    (err: unknown) => {
        console.error(String(err));
        process.exit(2);
    },
);
