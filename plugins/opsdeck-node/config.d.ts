export interface Config {
  opsdeck?: {
    /**
     * Stable name of this backend instance (default `<hostname>:<port>`).
     * A restarted instance ends the work its previous process left running
     * (job runs) at once. Replicas running at the same time need different
     * names.
     */
    instanceName?: string;
  };
}
