import type { ApiClient } from './client.js';
import type { Location, ProviderView } from './types.js';

export interface Reference {
  /** Everyone, retired included (names of past slots, the Clinic view). */
  providers: ProviderView[];
  locations: Location[];
  /** What a new cancellation or a new preference may name. */
  activeProviders: ProviderView[];
  activeLocations: Location[];
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
    activeProviders: providers.items.filter((x) => !x.retired),
    activeLocations: locations.items.filter((x) => !x.retired),
    providerName: (id) => p.get(id) ?? id,
    locationName: (id) => l.get(id) ?? id,
  };
}
