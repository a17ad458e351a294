import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Fragment, useMemo, useRef, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import { pathOf, useProject, useProjectId } from '../api/project.ts';
import { useEventNames } from '../api/suggestions.ts';
import type { EventRecord, Page, PropertyFilter } from '../api/types.ts';
import { InstallSnippets } from '../components/install-snippets.tsx';
import { PropertiesTable } from '../components/properties-table.tsx';
import { PropertyFilters } from '../components/property-filters.tsx';
import { EmptyState, ErrorNotice, Loading } from '../components/status.tsx';
import { TimeAgo } from '../components/time-ago.tsx';

const pageSize = 50;
const livePollMs = 2000;

function where(event: EventRecord): string {
  const url = event.properties.$current_url ?? event.properties.$screen_name ?? event.properties.$pathname;
  return typeof url === 'string' ? url : '';
}

function eventsPath(projectId: string, filters: { event: string; distinctId: string; properties: PropertyFilter[] }): string {
  const query = new URLSearchParams({ limit: String(pageSize) });
  if (filters.event) query.set('event', filters.event);
  if (filters.distinctId) query.set('distinct_id', filters.distinctId);
  if (filters.properties.length) query.set('properties', JSON.stringify(filters.properties));
  return `/api/projects/${projectId}/events?${query}`;
}

/** The newest events, refreshed every two seconds while live; new ones are marked as they arrive. */
export function EventsPage() {
  const projectId = useProjectId();
  const project = useProject();
  const [event, setEvent] = useState('');
  const [distinctId, setDistinctId] = useState('');
  const [properties, setProperties] = useState<PropertyFilter[]>([]);
  const [live, setLive] = useState(true);
  const [open, setOpen] = useState<string | null>(null);
  const [older, setOlder] = useState<EventRecord[]>([]);
  const [olderNext, setOlderNext] = useState<string | null | undefined>(undefined);
  const seen = useRef(new Set<string>());
  const filtered = Boolean(event || distinctId || properties.length);

  const path = eventsPath(projectId, { event, distinctId, properties });
  const latest = useQuery({
    queryKey: ['events', path],
    queryFn: () => api<Page<EventRecord>>(path),
    refetchInterval: live ? livePollMs : false,
    placeholderData: keepPreviousData,
  });

  const seenPath = useRef(path);
  const fresh = useMemo(() => {
    const rows = latest.data?.results ?? [];
    // A new filter is a new list, not new arrivals.
    if (seenPath.current !== path) { seen.current.clear(); seenPath.current = path; }
    const isFirstLoad = seen.current.size === 0;
    const arrived = new Set(rows.filter((row) => !seen.current.has(row.uuid)).map((row) => row.uuid));
    for (const row of rows) seen.current.add(row.uuid);
    return isFirstLoad ? new Set<string>() : arrived;
  }, [latest.data, path]);

  const resetPaging = () => { setOlder([]); setOlderNext(undefined); };
  const rows = [...(latest.data?.results ?? []), ...older.filter((row) => !latest.data?.results.some((r) => r.uuid === row.uuid))];
  const next = olderNext === undefined ? latest.data?.next : olderNext;
  const loadOlder = async () => {
    if (!next) return;
    const page = await api<Page<EventRecord>>(pathOf(next));
    setOlder([...older, ...page.results]);
    setOlderNext(page.next);
  };

  const names = useEventNames();

  return (
    <>
      <div className="page-head">
        <h1>Live events</h1>
        <label className="toggle"><input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live {live && <span className="pulse" aria-hidden />}</label>
      </div>
      <div className="filters">
        <input aria-label="Event name" placeholder="Event name" list="event-names" value={event} onChange={(e) => { setEvent(e.target.value); resetPaging(); }} />
        <datalist id="event-names">{names.map((name) => <option key={name} value={name} />)}</datalist>
        <input aria-label="Distinct id" placeholder="Distinct id" value={distinctId} onChange={(e) => { setDistinctId(e.target.value); resetPaging(); }} />
        <PropertyFilters filters={properties} onChange={(next) => { setProperties(next); resetPaging(); }} />
      </div>
      {latest.isError && <ErrorNotice error={latest.error} onRetry={() => latest.refetch()} />}
      {latest.isPending ? <Loading what="events" /> : rows.length === 0 ? (
        filtered ? <EmptyState title="No events match these filters" /> : (
          <EmptyState title="No events yet: paste this snippet">
            <p>Add PostHog's library to your site or app with this project's token. Events show up here within seconds.</p>
            {project.data && <InstallSnippets token={project.data.api_token} />}
          </EmptyState>
        )
      ) : (
        <div className="table-wrap">
          <table className="data events-table">
            <thead><tr><th scope="col">Event</th><th scope="col">Person</th><th scope="col" className="wide-only">URL / screen</th><th scope="col">Time</th></tr></thead>
            <tbody>
              {rows.map((row) => (
                <Fragment key={row.uuid}>
                  <tr className={fresh.has(row.uuid) ? 'fresh' : undefined}>
                    <td>
                      <button type="button" className="link expander" aria-expanded={open === row.uuid} onClick={() => setOpen(open === row.uuid ? null : row.uuid)}>
                        {row.event}
                      </button>
                    </td>
                    <td>{row.person_id ? <Link href={`/persons/${row.person_id}`}>{row.distinct_id}</Link> : row.distinct_id}</td>
                    <td className="wide-only truncate" title={where(row)}>{where(row)}</td>
                    <td><TimeAgo iso={row.timestamp} /></td>
                  </tr>
                  {open === row.uuid && (
                    <tr className="detail"><td colSpan={4}><PropertiesTable properties={{ ...row.properties, ...(row.elements_chain ? { elements_chain: row.elements_chain } : {}) }} /></td></tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
          {next && <button type="button" className="secondary" onClick={loadOlder}>Load older events</button>}
        </div>
      )}
    </>
  );
}
