/**
 * Jest's module runtime, keeping V8's compiled code of each module between runs in one
 * process. Stryker starts one Jest run per mutant in the same process, and every run loads
 * the same modules (the SDK, zod, the folders under test) into a fresh module registry;
 * compiling them again is most of a run's time. The code cache only skips the compile: each
 * run still evaluates every module afresh, so runs stay as isolated as before.
 *
 * Used by jest.stryker.config.js only. If the pinned Jest no longer has the module executor
 * this hooks into, runs go on uncached, and slower.
 */
const vm = require("vm");
const Runtime = require("jest-runtime").default;

/** filename -> the source compiled last time and V8's code cache for it. */
const codeCache = new Map();

class CachingRuntime extends Runtime {
    constructor(...args) {
        super(...args);
        const executor = this.executor;
        if (executor === undefined || typeof executor.compile !== "function") return;
        const compile = executor.compile.bind(executor);
        executor.compile = (source, filename) => {
            const context = executor.environment.getVmContext();
            // Dynamic import() needs Jest's own callback: leave such modules to it.
            if (context == null || source.includes("import(")) return compile(source, filename);
            const cached = codeCache.get(filename);
            const cachedData = cached !== undefined && cached.source === source ? cached.data : undefined;
            let fn;
            try {
                fn = vm.compileFunction(source, executor.injectedModuleParameters, {
                    filename,
                    parsingContext: context,
                    cachedData,
                    produceCachedData: cachedData === undefined,
                });
            } catch {
                // Jest's compile reports the syntax error its own way.
                return compile(source, filename);
            }
            if (cachedData === undefined && fn.cachedData !== undefined) codeCache.set(filename, { source, data: fn.cachedData });
            else if (fn.cachedDataRejected) codeCache.delete(filename);
            return fn;
        };
    }
}

module.exports = CachingRuntime;
