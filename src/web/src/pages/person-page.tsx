import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useLocation, useParams } from 'wouter';
import { api, remove } from '../api/client.ts';
import { pathOf, useProjectId } from '../api/project.ts';
import type { EventRecord, Page, Person } from '../api/types.ts';
import { personName } from '../components/person-name.tsx';
import { PropertiesTable } from '../components/properties-table.tsx';
import { ErrorNotice, Loading } from '../components/status.tsx';
import { TimeAgo } from '../components/time-ago.tsx';

/** One person: properties, every distinct id they were known by, and what they did, newest first. */
export function PersonPage() {
  const projectId = useProjectId();
  const { personId } = useParams<{ personId: string }>();
  const person = useQuery({ queryKey: ['person', projectId, personId], queryFn: () => api<Person>(`/api/projects/${projectId}/persons/${encodeURIComponent(personId)}`) });
  const events = useInfiniteQuery({
    queryKey: ['person-events', projectId, personId],
    queryFn: ({ pageParam }) => api<Page<EventRecord>>(pageParam),
    initialPageParam: `/api/projects/${projectId}/events?person_id=${encodeURIComponent(personId)}&limit=50`,
    getNextPageParam: (page) => (page.next ? pathOf(page.next) : undefined),
  });

  const [, navigate] = useLocation();
  if (person.isPending) return <Loading what="person" />;
  if (person.isError) return <><Link href="/persons">← Persons</Link><ErrorNotice error={person.error} /></>;
  const data = person.data;
  const timeline = events.data?.pages.flatMap((page) => page.results) ?? [];

  return (
    <>
      <Link href="/persons">← Persons</Link>
      <div className="page-head">
        <h1>{personName(data)}</h1>
        <span className="inline">
          <a className="button secondary-link" href={`/api/projects/${projectId}/persons/${data.uuid}/export`} download>Export data (JSON)</a>
          <button type="button" className="danger small" onClick={async () => {
            if (!window.confirm(`Delete ${personName(data)} and all their events? This cannot be undone.`)) return;
            await remove(`/api/projects/${projectId}/persons/${data.uuid}?delete_events=true`);
            navigate('/persons');
          }}>Delete person and events</button>
        </span>
      </div>
      <p className="muted">First seen <TimeAgo iso={data.created_at} /> · {data.is_identified ? 'identified' : 'anonymous'}</p>
      <div className="columns">
        <section>
          <h2>Properties</h2>
          <PropertiesTable properties={data.properties} />
          <h2>Distinct ids</h2>
          <ul className="plain">{data.distinct_ids.map((id) => <li key={id}><code>{id}</code></li>)}</ul>
        </section>
        <section>
          <h2>Events</h2>
          {events.isError && <ErrorNotice error={events.error} />}
          {events.isPending ? <Loading what="events" /> : timeline.length === 0 ? <p className="muted">No events.</p> : (
            <ol className="timeline">
              {timeline.map((event) => (
                <li key={event.uuid}>
                  <strong>{event.event}</strong> <TimeAgo iso={event.timestamp} />
                  {typeof event.properties.$current_url === 'string' && <div className="muted truncate">{event.properties.$current_url}</div>}
                </li>
              ))}
            </ol>
          )}
          {events.hasNextPage && <button type="button" className="secondary" onClick={() => events.fetchNextPage()}>Load older events</button>}
        </section>
      </div>
    </>
  );
}
