/** An in-memory Registry (shared/ports.ts): records what it was sent and answers scripted outcomes, in order. */
import type { Registry, RegistryDelivery } from '../../shared/ports';

export interface Delivered {
  ministry: string;
  documentId: string;
  body: string;
  at: Date;
}

export class MemoryRegistry implements Registry {
  readonly deliveries: Delivered[] = [];
  /** Outcomes of the next deliveries, first first; `delivered` (HTTP 201) once they run out. */
  readonly script: RegistryDelivery[] = [];

  /** @param ministries the ministries with a registry configured. */
  constructor(private readonly ministries: readonly string[] = ['AFSA', 'MINFIN']) {}

  async deliver(ministry: string, documentId: string, body: string, at: Date): Promise<RegistryDelivery> {
    if (!this.ministries.includes(ministry)) return { outcome: 'not-configured' };
    this.deliveries.push({ ministry, documentId, body, at });
    return this.script.shift() ?? { outcome: 'delivered', status: 201 };
  }
}
