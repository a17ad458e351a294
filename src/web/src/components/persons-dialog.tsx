import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import type { Person } from '../api/types.ts';
import { personName } from './person-name.tsx';
import { ErrorNotice, Loading } from './status.tsx';

const shownAtMost = 100;

/** Persons counted but not listed either lie past the first page or have no profile (sent with person profiles off). */
function describeCount(count: number, listed: number): string {
  const counted = `${count} ${count === 1 ? 'person' : 'persons'}`;
  if (listed === count) return counted;
  if (count > shownAtMost) return `${counted}, the first ${listed} shown`;
  return `${counted}; ${count - listed} without a person profile (their events were sent with person profiles off)`;
}

export interface PersonsRequest { title: string; path: string }

/** The persons behind one data point, in a modal dialog (Escape closes it, focus returns). */
export function PersonsDialog({ request, onClose }: { request: PersonsRequest; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const persons = useQuery({ queryKey: ['point-persons', request.path], queryFn: () => api<{ results: Person[]; count: number }>(request.path) });
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="persons-dialog" onClose={onClose} aria-labelledby="persons-title">
      <div className="page-head">
        <h2 id="persons-title">{request.title}</h2>
        <button type="button" className="secondary small" onClick={() => dialog.current?.close()}>Close</button>
      </div>
      {persons.isPending && <Loading what="persons" />}
      {persons.isError && <ErrorNotice error={persons.error} />}
      {persons.data && (
        <>
          <p className="muted">{describeCount(persons.data.count, persons.data.results.length)}</p>
          <ul className="plain person-list">
            {persons.data.results.map((person) => (
              <li key={person.uuid}><Link href={`/persons/${person.uuid}`}>{personName(person)}</Link></li>
            ))}
          </ul>
        </>
      )}
    </dialog>
  );
}
