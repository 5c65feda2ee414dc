/**
 * Reading an input file the tools were pointed at, with a size cap: a regular file only
 * (a FIFO would block forever, `/dev/zero` never ends), never more than the cap in memory.
 */
import * as fs from "fs";

export const MiB = 1024 * 1024;

/**
 * The largest plan.json the tools read (guard, debug): the prod stack's is about 1 MiB, a
 * 64-region fleet's about 20 MiB.
 */
export const MAX_PLAN_FILE_BYTES = 64 * MiB;

/** `8 MiB`, `512 KiB`, `100 bytes`. */
export function formatBytes(bytes: number): string {
    if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
    if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
    return `${bytes} bytes`;
}

function kindOf(stat: fs.Stats): string {
    if (stat.isDirectory()) return "a directory";
    if (stat.isFIFO()) return "a FIFO";
    if (stat.isCharacterDevice()) return "a character device";
    if (stat.isBlockDevice()) return "a block device";
    if (stat.isSocket()) return "a socket";
    return "not a regular file";
}

export type BoundedRead = { ok: true; text: string } | { ok: false; problem: string };

/**
 * The file's text, or why it was not read: missing, not a regular file, or larger than
 * `maxBytes` (checked before reading and again while reading, in case the file grows).
 * `problem` is one line without the file name, e.g. `is a FIFO, not a regular file`.
 */
export function readBoundedFile(file: string, maxBytes: number): BoundedRead {
    let fd: number;
    try {
        // O_NONBLOCK: opening a FIFO that no one writes to returns at once instead of waiting.
        fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
        const code = typeof e === "object" && e !== null && "code" in e ? String(e.code) : "";
        if (code === "ENOENT") return { ok: false, problem: "no such file or directory" };
        if (code === "EACCES" || code === "EPERM") return { ok: false, problem: "permission denied" };
        if (code === "ELOOP") return { ok: false, problem: "too many levels of symbolic links" };
        return { ok: false, problem: `cannot be opened (${code || (e instanceof Error ? e.message : String(e))})` };
    }
    try {
        const stat = fs.fstatSync(fd);
        if (!stat.isFile()) {
            const kind = kindOf(stat);
            return { ok: false, problem: kind === "a directory" ? "is a directory" : `is ${kind}, not a regular file` };
        }
        const cap = `the cap for this input is ${formatBytes(maxBytes)}`;
        if (stat.size > maxBytes) return { ok: false, problem: `is ${stat.size} bytes; ${cap}` };
        const chunks: Buffer[] = [];
        let length = 0;
        for (;;) {
            const chunk = Buffer.allocUnsafe(64 * 1024);
            const read = fs.readSync(fd, chunk, 0, chunk.length, null);
            if (read === 0) break;
            length += read;
            if (length > maxBytes) return { ok: false, problem: `grew past ${formatBytes(maxBytes)} while being read; ${cap}` };
            chunks.push(read === chunk.length ? chunk : chunk.subarray(0, read));
        }
        return { ok: true, text: Buffer.concat(chunks, length).toString("utf8") };
    } catch (e) {
        const code = typeof e === "object" && e !== null && "code" in e ? String(e.code) : "";
        return { ok: false, problem: `cannot be read (${code || (e instanceof Error ? e.message : String(e))})` };
    } finally {
        fs.closeSync(fd);
    }
}
