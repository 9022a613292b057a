// Shared building blocks: layout pieces, status tags, error handling for mutations, and
// two small hooks the design system needs (names for Dropdown listboxes, small screens).
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import styled from 'styled-components';
import { InlineAlert, LoadingSpinner, StaticChip, suomifiDesignTokens as tokens } from 'suomifi-ui-components';
import { useMutation, type AnyVariables, type CombinedError } from 'urql';
import type { LocalizedText, UserError } from './api';
import { useI18n } from './i18n';

export const colors = tokens.colors;
export const spacing = tokens.spacing;

export const Card = styled.section`
  background: ${colors.whiteBase};
  border: 1px solid ${colors.depthLight1};
  border-radius: 4px;
  padding: ${spacing.m};
  margin-bottom: ${spacing.m};
  @media (max-width: 600px) {
    padding: ${spacing.s};
  }
`;

export const Row = styled.div`
  display: flex;
  flex-wrap: wrap;
  gap: ${spacing.s};
  align-items: flex-end;
  margin: ${spacing.s} 0;
`;

export const Stack = styled.div`
  display: flex;
  flex-direction: column;
  gap: ${spacing.m};
  max-width: 640px;
`;

export const Dl = styled.dl`
  display: grid;
  grid-template-columns: minmax(120px, max-content) 1fr;
  gap: ${spacing.xxs} ${spacing.m};
  margin: ${spacing.s} 0;
  dt {
    font-weight: 600;
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  @media (max-width: 600px) {
    grid-template-columns: 1fr;
    dd {
      margin-bottom: ${spacing.xs};
    }
  }
`;

export const Muted = styled.span`
  color: ${colors.blackLight1};
`;

export const ChipWrap = styled.span`
  display: inline-block;
  white-space: nowrap;
  && .fi-chip,
  && .fi-chip--content {
    flex-shrink: 0;
    white-space: nowrap;
    word-break: normal;
    max-width: none;
  }
`;

export function StatusTag({ label }: { label: LocalizedText }) {
  const { lt } = useI18n();
  return (
    <ChipWrap>
      <StaticChip>{lt(label)}</StaticChip>
    </ChipWrap>
  );
}

export function Loading() {
  const { t } = useI18n();
  return <LoadingSpinner text={t('common.loading')} variant="small" textAlign="right" />;
}

/** A query's or mutation's top-level error, in the user's language. */
export function errorText(t: ReturnType<typeof useI18n>['t'], error: CombinedError | undefined): string | null {
  if (!error) return null;
  if (error.networkError && !error.response) return t('error.network');
  const code = error.graphQLErrors[0]?.extensions?.code;
  if (code === 'UNAUTHENTICATED' || (error.response as Response | undefined)?.status === 401) return t('error.unauthenticated');
  if (code === 'FORBIDDEN') return t('error.forbidden');
  if (code === 'TOO_MANY_REQUESTS' || (error.response as Response | undefined)?.status === 429) return t('error.tooMany');
  return t('error.unexpected');
}

export function ErrorNote({ error }: { error: CombinedError | undefined }) {
  const { t } = useI18n();
  const text = errorText(t, error);
  if (!text) return null;
  return (
    <InlineAlert status="error" role="alert">
      {text}
    </InlineAlert>
  );
}

export function UserErrorsNote({ errors, shown = [] }: { errors: UserError[]; shown?: string[] }) {
  const { t } = useI18n();
  const rest = errors.filter((e) => !shown.includes(fieldKey(e.field)));
  if (rest.length === 0) return null;
  return (
    <InlineAlert status="error" role="alert" labelText={t('error.heading')}>
      <ul>
        {rest.map((e, i) => (
          <li key={i}>{e.message}</li>
        ))}
      </ul>
    </InlineAlert>
  );
}

export function fieldKey(field: string[] | null | undefined): string {
  return (field ?? []).join('.');
}

/** Field errors under a prefix (e.g. ["input", "content"]), keyed by the rest of the path. */
export function errorsUnder(errors: UserError[], prefix: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const e of errors) {
    const f = e.field ?? [];
    if (prefix.every((p, i) => f[i] === p) && f.length > prefix.length) {
      result[f.slice(prefix.length).join('.')] = e.message;
    }
  }
  return result;
}

/**
 * The newest version of each application and project that a mutation returned: a view may
 * act again before its refetch has arrived, and must then send the version it caused.
 */
const knownVersions = new Map<string, number>();

export function latestVersion(id: string, shown: number): number {
  return Math.max(shown, knownVersions.get(id) ?? 0);
}

function noteVersions(payload: unknown): void {
  if (!payload || typeof payload !== 'object') return;
  for (const key of ['application', 'project']) {
    const obj = (payload as Record<string, unknown>)[key] as { id?: string; version?: number } | null | undefined;
    if (obj?.id && typeof obj.version === 'number') knownVersions.set(obj.id, Math.max(obj.version, knownVersions.get(obj.id) ?? 0));
  }
}

export interface MutationResult<D> {
  ok: boolean;
  data: D | null;
  userErrors: UserError[];
  error: CombinedError | undefined;
}

/**
 * A mutation whose payload has userErrors: `run(input)` sends it and tells whether it
 * succeeded; `state` keeps the last errors to show.
 */
export function usePayloadMutation<D extends { userErrors: UserError[] }>(
  document: string,
  field: string,
): [
  { fetching: boolean; userErrors: UserError[]; error: CombinedError | undefined },
  (input: Record<string, unknown>) => Promise<MutationResult<D>>,
  () => void,
] {
  const [state, execute] = useMutation<Record<string, D>, AnyVariables>(document);
  const [userErrors, setUserErrors] = useState<UserError[]>([]);
  const [error, setError] = useState<CombinedError | undefined>(undefined);
  const run = useCallback(
    async (input: Record<string, unknown>) => {
      const result = await execute({ input });
      const payload = result.data?.[field] ?? null;
      noteVersions(payload);
      const errors = payload?.userErrors ?? [];
      setUserErrors(errors);
      setError(result.error);
      return { ok: !result.error && !!payload && errors.length === 0, data: payload, userErrors: errors, error: result.error };
    },
    [execute, field],
  );
  const reset = useCallback(() => {
    setUserErrors([]);
    setError(undefined);
  }, []);
  return [{ fetching: state.fetching, userErrors, error }, run, reset];
}

/** suomifi-ui-components 18's open Dropdown renders its listbox without a name: name it. */
export function useListboxName(dropdownId: string): void {
  useEffect(() => {
    const name = () => {
      const list = document.getElementById(`${dropdownId}-popover`);
      if (list && !list.hasAttribute('aria-labelledby')) list.setAttribute('aria-labelledby', `${dropdownId}-label`);
    };
    const observer = new MutationObserver(name);
    observer.observe(document.body, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [dropdownId]);
}

export function useSmallScreen(): boolean {
  const query = '(max-width: 600px)';
  const [small, setSmall] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const m = window.matchMedia(query);
    const update = () => setSmall(m.matches);
    m.addEventListener('change', update);
    return () => m.removeEventListener('change', update);
  }, []);
  return small;
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <Card aria-labelledby={id ? `${id}-h` : undefined}>
      <h2 id={id ? `${id}-h` : undefined} className="luukku-h2">
        {title}
      </h2>
      {children}
    </Card>
  );
}

export function todayIso(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A calendar date as YYYY-MM-DD (the API's Date); checked here so that a typo gets a field error. */
export function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}
