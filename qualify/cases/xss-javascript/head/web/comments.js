export function renderComment(list, comment) {
  const item = document.createElement('li');
  item.innerHTML = '<strong>' + comment.author + '</strong>: ' + comment.body;
  list.appendChild(item);
}
