import { bytes, formatCpu, formatMemory, isQuantity, milliCpu } from "../config/quantity";

describe("Kubernetes quantities: CPU in millicores, memory in bytes", () => {
    it("reads CPU as cores or millicores, and refuses memory suffixes", () => {
        expect(milliCpu("4")).toBe(4000);
        expect(milliCpu("1.5")).toBe(1500);
        expect(milliCpu("500m")).toBe(500);
        expect(milliCpu("0.25")).toBe(250);
        expect(() => milliCpu("2Gi")).toThrow("'2Gi' is not a CPU quantity such as 500m or 4");
    });

    it("reads memory with binary suffixes, plain bytes and milli-bytes", () => {
        expect(bytes("1Ki")).toBe(1024);
        expect(bytes("512Mi")).toBe(536_870_912);
        expect(bytes("1.5Gi")).toBe(1_610_612_736);
        expect(bytes("2Ti")).toBe(2_199_023_255_552);
        expect(bytes("100")).toBe(100);
        // 1500m bytes is 1.5 bytes, which rounds to 2.
        expect(bytes("1500m")).toBe(2);
        expect(bytes("400m")).toBe(0);
    });

    it("refuses anything but <number>[m|Ki|Mi|Gi|Ti], whole text only", () => {
        for (const bad of ["", "Gi", "1G", "1e3", "-1", "1.Gi", ".5", "1 Gi", "x1Gi", "1Gix", "1,5Gi"]) {
            expect([bad, isQuantity(bad)]).toEqual([bad, false]);
            expect(() => bytes(bad)).toThrow(`'${bad}' is not a quantity such as 500m, 4 or 16Gi`);
        }
        for (const good of ["0", "4", "0.5", "500m", "16Gi", "1.25Ti", "64Ki", "3Mi"])
            expect([good, isQuantity(good)]).toEqual([good, true]);
    });

    it("writes whole cores when exact, else millicores", () => {
        expect(formatCpu(4000)).toBe("4");
        expect(formatCpu(0)).toBe("0");
        expect(formatCpu(1500)).toBe("1500m");
        expect(formatCpu(250)).toBe("250m");
    });

    it("writes Gi when exact, else Mi rounded up", () => {
        expect(formatMemory(2 * 2 ** 30)).toBe("2Gi");
        expect(formatMemory(1_610_612_736)).toBe("1536Mi");
        expect(formatMemory(2 ** 20 + 1)).toBe("2Mi");
        expect(formatMemory(3 * 2 ** 20)).toBe("3Mi");
    });
});
