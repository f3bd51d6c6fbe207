import { describe, expect, it } from 'vitest';
import { foreignProviderProblem, ownsProvider, providerTableLine } from '../../src/config/provider-ownership.js';

describe('provider table ownership', () => {
  it('finds the line of the table in every TOML form', () => {
    expect(providerTableLine('model = "o3"\n\n[model_providers.glm-litellm]\nname = "mine"\n', 'glm-litellm')).toBe(3);
    expect(providerTableLine('\ufeff# c\n[model_providers."glm-litellm"]\nname = "x"\n', 'glm-litellm')).toBe(2);
    expect(providerTableLine('a = 1\nmodel_providers.glm-litellm.name = "x"\n', 'glm-litellm')).toBe(2);
    expect(providerTableLine('[model_providers]\nother = { name = "o" }\nglm-litellm.name = "x"\n', 'glm-litellm')).toBe(3);
    expect(providerTableLine('[model_providers]\nglm-litellm = { name = "x" }\n', 'glm-litellm')).toBe(2);
    expect(providerTableLine('model_providers = { glm-litellm = { name = "x" } }\n', 'glm-litellm')).toBe(1);
    expect(providerTableLine('[model_providers.glm-litellm.http_headers]\nX = "y"\n', 'glm-litellm')).toBe(1);
    expect(providerTableLine('x = \n[model_providers.glm-litellm]\n', 'glm-litellm')).toBe(2); // does not parse
    expect(providerTableLine('[model_providers.glm]\nname = "x"\n[model_providers.other]\n', 'glm-litellm')).toBeNull();
    expect(providerTableLine('# [model_providers.glm-litellm]\n', 'glm-litellm')).toBeNull();
  });

  it('the tool owns it when state.json says so; a pre-ownership manifest that records a setup counts', () => {
    expect(ownsProvider({ version: 1 })).toBe(false);
    expect(ownsProvider({ version: 1, ownsProvider: true })).toBe(true);
    expect(ownsProvider({ version: 1, model: 'glm-5.2', ownsProvider: false })).toBe(false);
    expect(ownsProvider({ version: 1, createdFiles: [] })).toBe(true);
    expect(ownsProvider({ version: 1, rcFiles: ['/h/.bashrc'] })).toBe(true);
  });

  it('refuses a table the tool does not own, naming file:line and the fix', () => {
    const text = 'model = "o3"\n[model_providers.glm-litellm]\nbase_url = "http://10.0.0.2/v1"\n';
    const problem = foreignProviderProblem(text, 'glm-litellm', null, '/h/.codex/config.toml');
    expect(problem?.exitCode).toBe(4);
    expect(problem?.message).toContain('/h/.codex/config.toml:2: [model_providers.glm-litellm]');
    expect(problem?.fix).toBe('rename or remove your table, or choose another provider id with --provider-id ID');
    expect(foreignProviderProblem(text, 'glm-litellm', 'glm-litellm', 'f')).toBeNull();
    expect(foreignProviderProblem('model = "o3"\n', 'glm-litellm', null, 'f')).toBeNull();
    expect(foreignProviderProblem(null, 'glm-litellm', null, 'f')).toBeNull();
    // Another mode's table the user has under that id is just as much theirs.
    expect(foreignProviderProblem('[model_providers.glm-zai]\nname = "x"\n', 'glm-zai', 'glm-litellm', 'f')?.code).toBe('provider-not-ours');
  });
});
