/**
 * What Ctrl-C must stop before the tool exits (a running installer), and what it then says.
 * cli.ts's SIGINT handler runs these; a step registers while it runs and forgets when done.
 */
interface Stopper {
  /** Told to the user: what was stopped and how to finish it. */
  message: string;
  stop(): Promise<void>;
}

const stoppers = new Set<Stopper>();
let stopping = false;
let quiet = false;

/** Ctrl-C is the normal way to end this command (`logs -f`): exit 0 without a word. */
export function endQuietlyOnInterrupt(): void {
  quiet = true;
}

export function interruptIsQuiet(): boolean {
  return quiet;
}

/** True once Ctrl-C began stopping things: the step that failed because of it must not report that failure. */
export function interrupting(): boolean {
  return stopping;
}

export function onInterrupt(stopper: Stopper): () => void {
  stoppers.add(stopper);
  return () => stoppers.delete(stopper);
}

/** Stops everything registered; returns their messages (empty when nothing was running). */
export async function stopForInterrupt(): Promise<string[]> {
  stopping = true;
  const running = [...stoppers];
  stoppers.clear();
  await Promise.all(running.map((s) => s.stop().catch(() => undefined)));
  return running.map((s) => s.message);
}

/** Ends a child started with `detached: true` and everything it started: its whole process group, TERM then KILL. */
export async function stopProcessGroup(pid: number | undefined, graceMs = 2_000): Promise<void> {
  if (!pid) return;
  const signal = (name: NodeJS.Signals | 0) => {
    try {
      process.kill(-pid, name);
      return true;
    } catch {
      return false;
    }
  };
  if (!signal('SIGTERM')) return;
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!signal(0)) return;
  }
  signal('SIGKILL');
}
