export interface Signup {
  email: string;
  password: string;
}

export function register(form: Signup): string[] {
  const errors: string[] = [];
  if (!form.email.includes('@')) errors.push('email is not valid');
  if (form.password.length < 12) errors.push('password is too short');
  return errors;
}
