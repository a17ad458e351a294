import { useQuery } from '@tanstack/react-query';
import { useParams } from 'wouter';
import { api } from './client.ts';
import type { Project } from './types.ts';

/** The project in the URL (every project page is under /project/:projectId). */
export function useProjectId(): string {
  return useParams<{ projectId: string }>().projectId;
}

export function useProject() {
  const projectId = useProjectId();
  return useQuery({ queryKey: ['project', projectId], queryFn: () => api<Project>(`/api/projects/${projectId}`) });
}

/** A `next` link from the API is absolute; the app fetches it same-origin. */
export function pathOf(url: string): string {
  const parsed = new URL(url, window.location.origin);
  return `${parsed.pathname}${parsed.search}`;
}
