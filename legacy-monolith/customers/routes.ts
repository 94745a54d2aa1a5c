// /customers: sign-up (public) and the signed-in customer's profile and addresses.
import express from 'express';
import { requireAuth, currentCustomer } from '../middleware/auth.ts';
import { addAddress, createCustomer, getProfile, listAddresses, removeAddress, updateProfile } from './accounts.ts';
import { REGIONS } from '../seed.ts';
import { badRequest, bodyOf, hashPassword, parseId, requireString } from '../utils.ts';

function requireRegion(body: Record<string, unknown>): string {
  const region = requireString(body, 'region', 20);
  if (!REGIONS.includes(region)) throw badRequest(`region must be one of ${REGIONS.join(', ')}`);
  return region;
}

export const customersRouter = express.Router();

customersRouter.post('/', (req, res) => {
  const body = bodyOf(req.body);
  const email = requireString(body, 'email', 120);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw badRequest('email must be an email address');
  const password = requireString(body, 'password', 100);
  if (password.length < 8) throw badRequest('password must have at least 8 characters');
  const id = createCustomer(email, requireString(body, 'name', 120), hashPassword(password), requireRegion(body));
  res.status(201).json(getProfile(id));
});

customersRouter.get('/me', requireAuth, (req, res) => {
  res.json(getProfile(currentCustomer(res).id));
});

customersRouter.patch('/me', requireAuth, (req, res) => {
  const body = bodyOf(req.body);
  const changes: { name?: string; region?: string } = {};
  if (body.name !== undefined) changes.name = requireString(body, 'name', 120);
  if (body.region !== undefined) changes.region = requireRegion(body);
  if (Object.keys(changes).length === 0) throw badRequest('nothing to change: send name and/or region');
  res.json(updateProfile(currentCustomer(res).id, changes));
});

customersRouter.get('/me/addresses', requireAuth, (req, res) => {
  res.json({ items: listAddresses(currentCustomer(res).id) });
});

customersRouter.post('/me/addresses', requireAuth, (req, res) => {
  const body = bodyOf(req.body);
  const address = addAddress(
    currentCustomer(res).id,
    { line1: requireString(body, 'line1'), city: requireString(body, 'city', 80), postcode: requireString(body, 'postcode', 12), region: requireRegion(body) },
    body.isDefault === true,
  );
  res.status(201).json(address);
});

customersRouter.delete('/me/addresses/:id', requireAuth, (req, res) => {
  const id = parseId(req.params.id);
  removeAddress(currentCustomer(res).id, id);
  res.json({ id, deleted: true });
});
