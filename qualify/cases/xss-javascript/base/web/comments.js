export function renderComment(list, comment) {
  const item = document.createElement('li');
  const author = document.createElement('strong');
  author.textContent = comment.author;
  item.append(author, ': ', comment.body);
  list.appendChild(item);
}
