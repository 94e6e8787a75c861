import type { ApiClient } from './client.js';
import type { Location, Page, Provider } from './types.js';

export interface Reference {
  providers: Provider[];
  locations: Location[];
  providerName(id: string): string;
  locationName(id: string): string;
}

/** Providers and locations change rarely: one load per view is plenty. */
export async function loadReference(api: ApiClient): Promise<Reference> {
  const [providers, locations] = await Promise.all([
    api.get<Page<Provider>>('/admin/providers'),
    api.get<Page<Location>>('/admin/locations'),
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
