/**
 * The stack-file reader at scale. Kept apart from the reader's other tests: it takes a few
 * seconds, and those tests also run on every mutant of config/ (test/mutation-suite.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackFile, StackFileError } from "../tools/stackfile";

let work: string;
beforeAll(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-stackfile-scale-"))));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test("duplicate keys are found in one pass: 100k keys well under a minute", () => {
    const lines = ["config:"];
    for (let i = 0; i < 100_000; i++) lines.push(`  aws:k${i}: ${i}`);
    lines.push("  aws:k99999: again");
    const file = path.join(work, "Pulumi.many.yaml");
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    const started = Date.now();
    let caught: unknown;
    try {
        readStackFile(file);
    } catch (err) {
        caught = err;
    }
    expect(caught).toBeInstanceOf(StackFileError);
    expect(caught instanceof Error && caught.message).toBe(`${file}:100002: key 'aws:k99999' is defined twice in one mapping`);
    // The parser's pairwise check takes about 12 s for 20k keys here and minutes for 100k;
    // one pass takes a few seconds, more on a loaded machine.
    expect(Date.now() - started).toBeLessThan(60_000);
}, 90_000);
