// Maps --engine to an adapter. Every adapter implements engines/engine.ts.
import type { Engine } from '../engines/engine.ts';
import { UsageError } from './usage-error.ts';

export const ENGINE_CHOICES = ['reference', 'reference:compat', 'reference:strict', 'iii'] as const;

export interface EngineOptions {
  engine: string;
  iiiBin?: string;
}

// Adapters load on demand so `list` and usage errors never pay for them.
export async function createEngine(opts: EngineOptions): Promise<{ engine: Engine; kind: string }> {
  switch (opts.engine) {
    case 'reference':
    case 'reference:compat': {
      const { ReferenceEngine } = await import('../engines/reference/adapter.ts');
      return { engine: new ReferenceEngine({ profile: 'compat' }), kind: 'reference' };
    }
    case 'reference:strict': {
      const { ReferenceEngine } = await import('../engines/reference/adapter.ts');
      return { engine: new ReferenceEngine({ profile: 'strict' }), kind: 'reference:strict' };
    }
    case 'iii': {
      const bin = opts.iiiBin ?? process.env.III_BIN;
      if (!bin) {
        throw new UsageError(
          '--engine iii needs the engine binary: pass --iii-bin PATH or set III_BIN',
        );
      }
      const { IiiEngine } = await import('../engines/iii/adapter.ts');
      return { engine: new IiiEngine({ binary: bin }), kind: 'iii' };
    }
    default:
      throw new UsageError(
        `unknown engine "${opts.engine}"; choose one of ${ENGINE_CHOICES.join(', ')}`,
      );
  }
}
