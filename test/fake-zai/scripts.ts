/**
 * What the fake GLM answers, decided from the conversation alone (so Chat Completions and Responses
 * share it): a scripted multi-step agent task or two parallel tool calls when the user's prompt carries
 * a marker, a planned single tool call, or plain text.
 */

/** Turn 1 writes a file with Codex's shell tool, turn 2 reads it back, turn 3 answers with what it read. */
export const AGENT_LOOP = {
  marker: '[[fake-glm:agent-loop]]',
  file: 'agent-loop.txt',
  /** The shell computes it: the literal appears in the conversation only through the tool's output. */
  writeCommand: 'printf "LOOP-%s\\n" $((6*7)) > agent-loop.txt',
  readCommand: 'cat agent-loop.txt',
  content: 'LOOP-42',
  finalPrefix: 'Agent loop done. The file says:',
} as const;

/** One turn with two tool calls; the next turn quotes both outputs. */
export const PARALLEL_TOOLS = {
  marker: '[[fake-glm:parallel-tools]]',
  commands: ['echo PAR-$((1+1))', 'echo PAR-$((2+1))'],
  outputs: ['PAR-2', 'PAR-3'],
  finalPrefix: 'Both tools answered:',
} as const;

export const SHELL_TOOL = 'exec_command';

export interface PlannedCall {
  name: string;
  arguments: string;
}

export type Answer = { kind: 'text'; text: string; reasoning: string | null } | { kind: 'tools'; calls: PlannedCall[]; reasoning: string | null };

/** The conversation as the planner needs it, whichever API carried it. */
export interface Conversation {
  /** Text of every user message, oldest first. */
  userTexts: string[];
  /** Outputs of the tool calls made since the last user message, oldest first. */
  toolResults: string[];
  /** Names of the function tools the client offered. */
  toolNames: string[];
}

export interface PlannerState {
  reply: string;
  reasoning: string | null;
  toolCall: { name: string; arguments: Record<string, unknown> } | null;
}

export function planAnswer(conversation: Conversation, state: PlannerState): Answer {
  const prompt = conversation.userTexts.join('\n');
  const results = conversation.toolResults;
  const shell = (cmd: string): PlannedCall => ({ name: SHELL_TOOL, arguments: JSON.stringify({ cmd, login: false }) });
  const hasShell = conversation.toolNames.includes(SHELL_TOOL);

  if (prompt.includes(AGENT_LOOP.marker) && hasShell) {
    if (results.length === 0) return { kind: 'tools', calls: [shell(AGENT_LOOP.writeCommand)], reasoning: 'I will write the file first.' };
    if (results.length === 1) return { kind: 'tools', calls: [shell(AGENT_LOOP.readCommand)], reasoning: 'Now I read the file back.' };
    return { kind: 'text', text: `${AGENT_LOOP.finalPrefix} ${lastLine(results[results.length - 1]!)}`, reasoning: 'The file holds what I wrote.' };
  }
  if (prompt.includes(PARALLEL_TOOLS.marker) && hasShell) {
    if (results.length === 0) return { kind: 'tools', calls: PARALLEL_TOOLS.commands.map(shell), reasoning: 'Two independent commands: run both at once.' };
    return { kind: 'text', text: `${PARALLEL_TOOLS.finalPrefix} ${results.map(lastLine).join(' | ')}`, reasoning: 'Both commands answered.' };
  }
  if (results.length > 0) return { kind: 'text', text: `The tool said: ${results[results.length - 1]!.trim()}`, reasoning: state.reasoning };
  const plan = state.toolCall;
  if (plan && conversation.toolNames.includes(plan.name)) {
    return { kind: 'tools', calls: [{ name: plan.name, arguments: JSON.stringify(plan.arguments) }], reasoning: state.reasoning };
  }
  return { kind: 'text', text: state.reply, reasoning: state.reasoning };
}

/** The last non-empty line of a tool's output (Codex wraps it in a header: exit code, wall time, ...). */
function lastLine(output: string): string {
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

/** Splits text into `parts` pieces (at least one character each), as a model streams it. */
export function fragments(text: string, parts: number): string[] {
  if (text.length <= 1) return [text];
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'object' && part && 'text' in part ? String((part as { text: unknown }).text) : '')).join('');
  }
  return '';
}
