import * as fs from "fs";
import * as path from "path";

/**
 * The project's root folder: the nearest folder at or above `from` that holds
 * Pulumi.yaml. The tools run from their TypeScript sources (tests, ts-node) and from the
 * JavaScript built into .build/ (npm scripts); either way stack files, policy config and
 * the pack's manifest are found in the project, never in the build folder.
 */
export function projectRoot(from: string = __dirname): string {
    for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml at or above ${from}: run the tools from the modelfleet project`);
    }
}
