/** `GLM_CODEX_TRACE=1`: how long a step took, on stderr, for the benchmark (bench/bench.mjs reads these lines). */
export function traceStep(step: string, startedAt: number): void {
  if (process.env.GLM_CODEX_TRACE) process.stderr.write(`trace ${step} ${Date.now() - startedAt}\n`);
}

/** A count for the benchmark, in the same line format (`trace <what> <n>`). */
export function traceCount(what: string, count: number): void {
  if (process.env.GLM_CODEX_TRACE) process.stderr.write(`trace ${what} ${count}\n`);
}
