export interface Signup {
  email: string;
  password: string;
}

function validate(form: Signup): string[] {
  const errors: string[] = [];
  if (!form.email.includes('@')) errors.push('email is not valid');
  if (form.password.length < 12) errors.push('password is too short');
  return errors;
}

export function register(form: Signup): string[] {
  return validate(form);
}
