// /payments: card validation for the checkout form, payment lookup and refunds.
import express from 'express';
import { brandOf, checkCard, getPayment, parseCard, refund } from './processor.ts';
import { bodyOf, parseId } from '../utils.ts';

export const paymentsRouter = express.Router();

paymentsRouter.post('/validate-card', (req, res) => {
  const card = parseCard(bodyOf(req.body));
  const check = checkCard(card);
  res.json({ ...check, brand: brandOf(card.number), last4: card.number.slice(-4) });
});

paymentsRouter.get('/:id', (req, res) => {
  res.json(getPayment(parseId(req.params.id)));
});

paymentsRouter.post('/:id/refund', (req, res) => {
  res.json(refund(parseId(req.params.id)));
});
