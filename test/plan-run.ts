/** What one `npm run plan` printed, a line an entry (multi-line prints split), and its exit code. */
export interface PlanRun {
    code: number;
    stdout: string[];
    stderr: string[];
}

/**
 * One plan command in a fresh module registry: the program registers its resources when its
 * module is evaluated, and the Pulumi runtime keeps one stack per registry.
 */
export async function planInFreshRegistry(args: string[]): Promise<PlanRun> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    let code = -1;
    await jest.isolateModulesAsync(async () => {
        const { main } = await import("../tools/plan");
        code = await main(args, { stdout: (l) => stdout.push(...l.split("\n")), stderr: (l) => stderr.push(l) });
    });
    return { code, stdout, stderr };
}
