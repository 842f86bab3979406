/** A Terraform plan that cannot be read, with what is wrong and how to make one that can. */
export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}
