// /cart: the signed-in customer's cart. Every route here needs a session.
import express from 'express';
import { currentCustomer, requireAuth } from '../middleware/auth.ts';
import { addToCart, cartView, clearCart, removeFromCart, setCartQuantity } from './cart.ts';
import { bodyOf, parseId, requireInt } from '../utils.ts';

export const cartRouter = express.Router();
cartRouter.use(requireAuth);

cartRouter.get('/', (req, res) => {
  res.json(cartView(currentCustomer(res).id));
});

cartRouter.post('/items', (req, res) => {
  const body = bodyOf(req.body);
  const customerId = currentCustomer(res).id;
  addToCart(customerId, requireInt(body, 'bookId', 1, 1e9), requireInt(body, 'quantity', 1, 20));
  res.status(201).json(cartView(customerId));
});

cartRouter.patch('/items/:bookId', (req, res) => {
  const customerId = currentCustomer(res).id;
  setCartQuantity(customerId, parseId(req.params.bookId, 'bookId'), requireInt(bodyOf(req.body), 'quantity', 1, 20));
  res.json(cartView(customerId));
});

cartRouter.delete('/items/:bookId', (req, res) => {
  const customerId = currentCustomer(res).id;
  removeFromCart(customerId, parseId(req.params.bookId, 'bookId'));
  res.json(cartView(customerId));
});

cartRouter.delete('/', (req, res) => {
  const customerId = currentCustomer(res).id;
  clearCart(customerId);
  res.json(cartView(customerId));
});
