import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from './client.ts';
import type { AuthState } from './types.ts';

export const authStateKey = ['auth-state'];

export function useAuthState() {
  return useQuery({
    queryKey: authStateKey,
    queryFn: async () => {
      const state = await api<AuthState>('/api/auth/state');
      setCsrfToken(state.csrf_token);
      return state;
    },
    staleTime: 60_000,
  });
}

/** After logging in or out, everything cached belonged to another session. */
export function useResetSession() {
  const queryClient = useQueryClient();
  return async (csrfToken: string | null) => {
    setCsrfToken(csrfToken);
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== authStateKey[0] });
    await queryClient.refetchQueries({ queryKey: authStateKey });
  };
}
