import { useQuery } from '@tanstack/react-query';
import { api } from './client.ts';
import type { Action, Cohort } from './definitions.ts';
import { useProjectId } from './project.ts';

const staleTime = 30_000;
// One empty list, so a component's memos keep while the list loads.
const none: never[] = [];

export function useActions(enabled = true): Action[] {
  const projectId = useProjectId();
  return useQuery({ queryKey: ['actions', projectId], queryFn: () => api<{ results: Action[] }>(`/api/projects/${projectId}/actions`), staleTime, enabled }).data?.results ?? none;
}

export function useCohorts(enabled = true): Cohort[] {
  const projectId = useProjectId();
  return useQuery({ queryKey: ['cohorts', projectId], queryFn: () => api<{ results: Cohort[] }>(`/api/projects/${projectId}/cohorts`), staleTime, enabled }).data?.results ?? none;
}
