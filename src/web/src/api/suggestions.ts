import { useQuery } from '@tanstack/react-query';
import { api } from './client.ts';
import { useProjectId } from './project.ts';

const staleTime = 60_000;

export function useEventNames(): string[] {
  const projectId = useProjectId();
  return useQuery({ queryKey: ['event-names', projectId], queryFn: () => api<{ results: string[] }>(`/api/projects/${projectId}/event_names`), staleTime }).data?.results ?? [];
}

export function usePropertyKeys(type: 'event' | 'person'): string[] {
  const projectId = useProjectId();
  return useQuery({ queryKey: ['property-keys', projectId, type], queryFn: () => api<{ results: string[] }>(`/api/projects/${projectId}/property_keys?type=${type}`), staleTime }).data?.results ?? [];
}

export function usePropertyValues(type: 'event' | 'person', key: string): string[] {
  const projectId = useProjectId();
  return useQuery({
    queryKey: ['property-values', projectId, type, key],
    queryFn: () => api<{ results: string[] }>(`/api/projects/${projectId}/property_values?type=${type}&key=${encodeURIComponent(key)}`),
    enabled: key !== '',
    staleTime,
  }).data?.results ?? [];
}
