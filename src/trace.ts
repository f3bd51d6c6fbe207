/** `GLM_CODEX_TRACE=1`: how long a step took, on stderr, for the benchmark (bench/bench.mjs reads these lines). */
export function traceStep(step: string, startedAt: number): void {
  if (process.env.GLM_CODEX_TRACE) process.stderr.write(`trace ${step} ${Date.now() - startedAt}\n`);
}
