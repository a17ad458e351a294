export interface User { id: number; email: string; name: string }
export interface Organization { id: number; name: string; role: 'admin' | 'member'; projects: { id: number; name: string }[] }
export interface AuthState { setup_required: boolean; user: User | null; csrf_token: string | null; organizations: Organization[]; instance_admin: boolean }

export interface Project { id: number; name: string; api_token: string; timezone: string; week_start_day: number; anonymize_ips: boolean; created_at: string }

export interface EventRecord {
  uuid: string;
  event: string;
  distinct_id: string;
  person_id: string | null;
  properties: Record<string, unknown>;
  elements_chain: string;
  timestamp: string;
}

export interface Person {
  uuid: string;
  distinct_ids: string[];
  properties: Record<string, unknown>;
  created_at: string;
  is_identified?: boolean;
}

export interface Page<T> { results: T[]; next: string | null }

export interface PersonalApiKey { id: number; label: string; key_prefix: string; scopes: ('read' | 'write')[]; created_at: string; last_used_at: string | null; created_by: string | null }
export interface Member { user_id: number; email: string; name: string; role: 'admin' | 'member'; joined_at: string }
export interface Invite { id: number; email: string; role: 'admin' | 'member'; created_at: string; expires_at: string; accepted_at: string | null }

export interface PropertyFilter { key: string; value?: unknown; operator: string; type: 'event' | 'person' | 'cohort' }
