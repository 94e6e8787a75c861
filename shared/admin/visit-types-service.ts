import { ulid } from 'ulid';
import type { AdminStore } from '../adapters/dynamo/admin-store.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { Provider } from '../domain/model.js';
import type { VisitType } from '../domain/visit-type.js';
import type { AdminResponses, AuditRecord, RouteInput } from './contract.js';

/**
 * The visit-type catalogue's use cases: list, create, edit and retire, as for providers. Names are
 * unique (case-insensitive), since slots and entries name a type by its name.
 */

type Audit = (
  action: string,
  recordType: AuditRecord['recordType'],
  recordId: string,
  detail?: AuditRecord['detail'],
) => Promise<void>;

type Handler<K extends 'visitTypes.list' | 'visitTypes.create' | 'visitTypes.update'> = (
  input: RouteInput<K>,
  audit: Audit,
) => Promise<AdminResponses[K]>;

export function visitTypeUseCases(admin: Pick<AdminStore, 'listVisitTypes' | 'putVisitType'>) {
  const sameName = async (name: string, except?: string) =>
    (await admin.listVisitTypes()).find(
      (t) => t.name.toLowerCase() === name.toLowerCase() && t.visitTypeId !== except,
    );

  const list: Handler<'visitTypes.list'> = async () => ({
    items: (await admin.listVisitTypes()).sort((a, b) => a.name.localeCompare(b.name)),
  });

  const create: Handler<'visitTypes.create'> = async ({ body }, audit) => {
    if (await sameName(body.name)) throw new ConflictError(`a visit type named ${body.name} already exists`);
    const visitType: VisitType = {
      visitTypeId: body.visitTypeId ?? `vt-${ulid().toLowerCase()}`,
      name: body.name,
      durationMinutes: body.durationMinutes,
      ...(body.minNoticeHours !== undefined ? { minNoticeHours: body.minNoticeHours } : {}),
      providerTypes: body.providerTypes,
    };
    await admin.putVisitType(visitType, 'create');
    await audit('visitType.create', 'VISIT_TYPE', visitType.visitTypeId);
    return visitType;
  };

  const update: Handler<'visitTypes.update'> = async ({ params, body }, audit) => {
    const before = (await admin.listVisitTypes()).find((t) => t.visitTypeId === params.visitTypeId);
    if (!before) throw new NotFoundError('visit type', params.visitTypeId);
    if (await sameName(body.name, params.visitTypeId)) {
      throw new ConflictError(`a visit type named ${body.name} already exists`);
    }
    const retired = body.retired ?? before.retired ?? false;
    const visitType: VisitType = {
      visitTypeId: params.visitTypeId,
      name: body.name,
      durationMinutes: body.durationMinutes,
      ...(body.minNoticeHours !== undefined ? { minNoticeHours: body.minNoticeHours } : {}),
      providerTypes: body.providerTypes,
      ...(retired ? { retired: true } : {}),
    };
    await admin.putVisitType(visitType, 'replace');
    await audit('visitType.update', 'VISIT_TYPE', visitType.visitTypeId, {
      ...(Boolean(before.retired) !== retired ? { retired: String(retired) } : {}),
    });
    return visitType;
  };

  /**
   * Why a new cancellation may not name this visit type, or undefined when it may. With an empty
   * catalogue any text is taken (as before the catalogue existed); once there is one, the type must be
   * one of its active entries and open to the slot's provider type.
   */
  const refusal = async (name: string, provider: Provider | undefined): Promise<string | undefined> => {
    const catalogue = await admin.listVisitTypes();
    if (catalogue.length === 0) return undefined;
    const type = catalogue.find((t) => t.name.toLowerCase() === name.toLowerCase());
    const active = catalogue.filter((t) => !t.retired).map((t) => t.name);
    if (!type) return `is not in the visit-type catalogue (${active.join(', ') || 'none active'})`;
    if (type.retired) return `${type.name} is retired`;
    if (provider && type.providerTypes.length > 0 && !type.providerTypes.includes(provider.providerType)) {
      return `${type.name} is not seen by ${provider.providerType} providers`;
    }
    return undefined;
  };

  return { list, create, update, refusal };
}
