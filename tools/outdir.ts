import * as fs from "fs";
import * as path from "path";

/**
 * The folder a tool writes its output to. A tool only ever removes files it wrote itself:
 * it recognises its own output by a marker file listing those files, refuses any other
 * non-empty folder, and never writes to the working directory, the repository root or a
 * folder that holds either.
 */

/** Written last into every output folder; lists the files the tool wrote there. */
export const OUTPUT_MARKER = ".modelfleet-output.json";

interface Marker {
    writtenBy: string;
    files: string[];
}

/** `--out` names a folder the tool must not write to; the message says why. */
export class OutputDirError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "OutputDirError";
    }
}

/** A folder checked by claimOutputDir, with the files a previous run left there. */
export interface ClaimedOutputDir {
    dir: string;
    /** Files (relative paths) a previous run of a modelfleet tool wrote, from its marker. */
    previousFiles: string[];
}

export interface ClaimOptions {
    /** The flag as the user knows it, for messages (`--out`). */
    flag: string;
    /** Folders that are never written to, nor any folder that contains one: name → path. */
    protectedDirs: Record<string, string | undefined>;
}

/**
 * Checks that `dir` may be (re)written and returns what a previous run left there.
 * Throws OutputDirError naming the reason and the fix.
 */
export function claimOutputDir(dir: string, options: ClaimOptions): ClaimedOutputDir {
    const resolved = realPathOfNearest(path.resolve(dir));
    const shown = `${options.flag} ${dir}`;
    for (const [what, protectedDir] of Object.entries(options.protectedDirs)) {
        if (protectedDir === undefined || protectedDir === "") continue;
        const guarded = realPathOfNearest(path.resolve(protectedDir));
        if (resolved === guarded)
            throw new OutputDirError(
                `${shown}: refusing to write into ${what} (${guarded}); give a folder of its own, e.g. ${options.flag} out/<stack>`,
            );
        if (isInside(resolved, guarded))
            throw new OutputDirError(
                `${shown}: refusing to write into a folder that contains ${what} (${guarded}); give a folder of its own, e.g. ${options.flag} out/<stack>`,
            );
    }
    let stat: fs.Stats;
    try {
        stat = fs.statSync(resolved);
    } catch {
        return { dir: resolved, previousFiles: [] };
    }
    if (!stat.isDirectory()) throw new OutputDirError(`${shown}: is not a folder; give a folder path`);
    const entries = fs.readdirSync(resolved);
    if (entries.length === 0) return { dir: resolved, previousFiles: [] };
    if (!entries.includes(OUTPUT_MARKER)) {
        throw new OutputDirError(
            `${shown}: refusing to write into a folder that is not empty and was not written by a modelfleet tool (no ${OUTPUT_MARKER}); give a new or empty folder`,
        );
    }
    const marker = readMarker(path.join(resolved, OUTPUT_MARKER));
    if (marker === undefined) {
        throw new OutputDirError(
            `${shown}: ${OUTPUT_MARKER} there cannot be read, so which files the tool wrote is unknown; give a new or empty folder`,
        );
    }
    return { dir: resolved, previousFiles: marker.files };
}

/** One file of the output: a path relative to the output folder and its text. */
export interface OutputFile {
    path: string;
    content: string;
}

/**
 * Removes the files the previous run wrote (and only those, with the folders they leave
 * empty), writes `files`, and writes the marker last so an interrupted run is not taken
 * for complete output.
 */
export function writeOutputDir(claimed: ClaimedOutputDir, writtenBy: string, files: OutputFile[]): void {
    const markerPath = path.join(claimed.dir, OUTPUT_MARKER);
    fs.rmSync(markerPath, { force: true });
    removePrevious(claimed.dir, claimed.previousFiles);
    fs.mkdirSync(claimed.dir, { recursive: true });
    for (const file of files) {
        const target = safeJoin(claimed.dir, file.path);
        if (target === undefined) throw new Error(`output file ${file.path} is outside the output folder`);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, file.content);
    }
    const marker: Marker = { writtenBy, files: files.map((f) => toPosix(f.path)) };
    fs.writeFileSync(markerPath, `${JSON.stringify(marker, null, 2)}\n`);
}

function removePrevious(dir: string, files: string[]): void {
    const parents = new Set<string>();
    for (const file of files) {
        const target = safeJoin(dir, file);
        if (target === undefined) continue;
        let stat: fs.Stats;
        try {
            stat = fs.lstatSync(target);
        } catch {
            continue;
        }
        // A folder where a file was is someone else's now: leave it.
        if (stat.isDirectory()) continue;
        fs.unlinkSync(target);
        for (let at = path.dirname(target); at !== dir && isInside(dir, at); at = path.dirname(at)) parents.add(at);
    }
    // Deepest first, so a folder emptied by its children's removal goes too.
    for (const folder of [...parents].sort((a, b) => b.length - a.length)) {
        try {
            if (fs.readdirSync(folder).length === 0) fs.rmdirSync(folder);
        } catch {
            // Already gone, or not a folder: nothing to remove.
        }
    }
}

function readMarker(file: string): Marker | undefined {
    try {
        const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Marker>;
        if (typeof parsed.writtenBy !== "string" || !Array.isArray(parsed.files)) return undefined;
        if (!parsed.files.every((f) => typeof f === "string")) return undefined;
        return { writtenBy: parsed.writtenBy, files: parsed.files };
    } catch {
        return undefined;
    }
}

/** `dir/relative` when it stays inside `dir`, else undefined. */
function safeJoin(dir: string, relative: string): string | undefined {
    if (path.isAbsolute(relative)) return undefined;
    const target = path.resolve(dir, relative);
    return isInside(dir, target) ? target : undefined;
}

/** True when `inner` is strictly inside `outer`. */
function isInside(outer: string, inner: string): boolean {
    const rel = path.relative(outer, inner);
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/** The real path of `p`, resolving symlinks in the part of it that exists. */
function realPathOfNearest(p: string): string {
    const rest: string[] = [];
    let at = p;
    for (;;) {
        try {
            return path.join(fs.realpathSync(at), ...rest.reverse());
        } catch {
            const parent = path.dirname(at);
            if (parent === at) return p;
            rest.push(path.basename(at));
            at = parent;
        }
    }
}

function toPosix(p: string): string {
    return p.split(path.sep).join("/");
}
