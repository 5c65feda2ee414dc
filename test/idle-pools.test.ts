import { validateSettings } from "../config";
import { idlePools } from "../tools/plan/idle";
import { stackSettings } from "./mocks";

const today = new Date("2026-12-04T12:00:00Z");

describe("GPU pools no serving track uses are reported as idle capacity", () => {
    it("names prod's Spot pool in use1, which no track runs on", () => {
        expect(idlePools(validateSettings(stackSettings("prod"), { today }))).toEqual([
            "idle capacity: regions[0].gpuPools[1] (use1/a10g-spot, 0-6 nodes) runs no serving track (regions[0].servingPool is l4); remove it or make it the servingPool",
        ]);
    });

    it("reports nothing for dev, whose only pool serves", () => {
        expect(idlePools(validateSettings(stackSettings("dev"), { today }))).toEqual([]);
    });

    it("follows servingPool: the pool it leaves becomes the idle one", () => {
        const raw = stackSettings("prod");
        (raw["regions"] as Array<Record<string, unknown>>)[0]["servingPool"] = "a10g-spot";
        expect(idlePools(validateSettings(raw, { today }))).toEqual([
            "idle capacity: regions[0].gpuPools[0] (use1/l4, 1-8 nodes) runs no serving track (regions[0].servingPool is a10g-spot); remove it or make it the servingPool",
        ]);
    });
});
