export interface Invoice {
  id: string;
  amount: number;
}

export interface Api {
  listInvoices(): Promise<Invoice[]>;
}

export interface Store {
  upsert(invoice: Invoice): Promise<void>;
}

/** Copies every invoice into the store; returns how many were synced. */
export async function syncInvoices(api: Api, store: Store): Promise<number> {
  let synced = 0;
  for (const invoice of await api.listInvoices()) {
    try {
      await store.upsert(invoice);
      synced++;
    } catch (e) {}
  }
  return synced;
}
