import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import { pathOf, useProjectId } from '../api/project.ts';
import type { Page, Person } from '../api/types.ts';
import { useDebounced } from '../api/use-debounced.ts';
import { personName } from '../components/person-name.tsx';
import { EmptyState, ErrorNotice, Loading } from '../components/status.tsx';
import { TimeAgo } from '../components/time-ago.tsx';

/** Persons newest first, searchable by email, name or distinct id; "Load more" fetches only the next page. */
export function PersonsPage() {
  const projectId = useProjectId();
  const [search, setSearch] = useState('');
  const term = useDebounced(search.trim(), 250);
  const results = useInfiniteQuery({
    queryKey: ['persons', projectId, term],
    queryFn: ({ pageParam }) => api<Page<Person>>(pageParam),
    initialPageParam: `/api/projects/${projectId}/persons?limit=50${term ? `&search=${encodeURIComponent(term)}` : ''}`,
    getNextPageParam: (page) => (page.next ? pathOf(page.next) : undefined),
    placeholderData: keepPreviousData,
  });
  const persons = results.data?.pages.flatMap((page) => page.results) ?? [];

  return (
    <>
      <div className="page-head"><h1>Persons</h1></div>
      <div className="filters">
        <input type="search" aria-label="Search persons" placeholder="Search by email, name or distinct id" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      {results.isError && <ErrorNotice error={results.error} onRetry={() => results.refetch()} />}
      {results.isPending ? <Loading what="persons" /> : persons.length === 0 ? (
        <EmptyState title={term ? `No person matches “${term}”` : 'No persons yet'}>
          {!term && <p>Persons appear as events arrive. Call <code>posthog.identify(id, {'{'} email {'}'})</code> to give them names.</p>}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead><tr><th scope="col">Person</th><th scope="col" className="wide-only">Distinct ids</th><th scope="col">First seen</th></tr></thead>
            <tbody>
              {persons.map((person) => (
                <tr key={person.uuid}>
                  <td><Link href={`/persons/${person.uuid}`}>{personName(person)}</Link></td>
                  <td className="wide-only truncate">{person.distinct_ids.join(', ')}</td>
                  <td><TimeAgo iso={person.created_at} /></td>
                </tr>
              ))}
            </tbody>
          </table>
          {results.hasNextPage && <button type="button" className="secondary" onClick={() => results.fetchNextPage()}>Load more</button>}
        </div>
      )}
    </>
  );
}
