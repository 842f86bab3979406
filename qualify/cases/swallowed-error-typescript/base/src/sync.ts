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
