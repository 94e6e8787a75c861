import type { ApiClient } from './client.js';
import type { Location, ProviderView } from './types.js';

export interface Reference {
  providers: ProviderView[];
  locations: Location[];
  providerName(id: string): string;
  locationName(id: string): string;
}

/** Providers and locations change rarely: one load per view is plenty. */
export async function loadReference(api: ApiClient): Promise<Reference> {
  const [providers, locations] = await Promise.all([
    api.get<{ items: ProviderView[] }>('/admin/providers'),
    api.get<{ items: Location[] }>('/admin/locations'),
  ]);
  const p = new Map(providers.items.map((x) => [x.providerId, x.displayName]));
  const l = new Map(locations.items.map((x) => [x.locationId, x.displayName]));
  return {
    providers: providers.items,
    locations: locations.items,
    providerName: (id) => p.get(id) ?? id,
    locationName: (id) => l.get(id) ?? id,
  };
}
