export interface Order {
  id: string;
  customerId: string;
  total: number;
}

export interface Db {
  save(order: Order): Promise<void>;
}

function validate(order: Order): void {
  if (order.total <= 0) throw new Error('an order must cost something');
}

export async function placeOrder(db: Db, order: Order): Promise<{ ok: boolean; id: string }> {
  validate(order);
  await db.save(order);
  return { ok: true, id: order.id };
}
